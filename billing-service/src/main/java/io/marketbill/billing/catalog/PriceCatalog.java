package io.marketbill.billing.catalog;

import io.marketbill.contracts.UsageRecorded;
import io.marketbill.protocols.aliyun.AliyunMeteringKey;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * The price catalog, validated when the service starts: a broken catalog stops the start with every
 * problem listed, since a wrong price would be charged to real customers.
 */
@Component
@EnableConfigurationProperties(CatalogProperties.class)
public class PriceCatalog {

    /** A price in force: marketplace units per unit of measure, and the version (its effective-from). */
    public record RatePrice(BigDecimal unitsPerQuantity, String version) {
    }

    /**
     * One dimension of one product as the marketplace knows it.
     *
     * @param unitValue   yuan per marketplace unit, as the listing prices it
     * @param billingStep the fewest units worth a whole fen: units are charged in multiples of it, since the
     *                    marketplace bills whole fen and drops what is below (Zilliz at ¥0.001: 10 units)
     */
    public record MeteredDimension(String productCode, String marketplace, String name, String unit,
                                   String marketplaceDimension, String meteringAssit, BigDecimal unitValue,
                                   long billingStep) {

        /** What {@code units} of this dimension are worth, in exact yuan. */
        public BigDecimal yuan(long units) {
            return Money.yuan(units, unitValue);
        }
    }

    private record Version(String sku, String cloud, Instant from, BigDecimal units) {
    }

    private final Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
    private final Map<String, Map<String, MeteredDimension>> dimensions = new LinkedHashMap<>();
    private final Map<String, List<Version>> versions = new LinkedHashMap<>(); // product/dimension -> newest first

    public PriceCatalog(CatalogProperties properties) {
        List<String> problems = new ArrayList<>();
        properties.products().forEach((code, p) -> load(code, p, problems));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the price catalog (marketbill.products) is invalid:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    private void load(String code, CatalogProperties.Product p, List<String> problems) {
        if (p.dimensions().isEmpty()) {
            return; // not metered (or not sold pay-as-you-go)
        }
        String at = "product " + code + ": ";
        if (!"aliyun".equals(p.marketplace()) && !"aws".equals(p.marketplace())) {
            problems.add(at + "marketplace must be aliyun or aws, not " + p.marketplace());
        }
        Map<String, MeteredDimension> dims = new LinkedHashMap<>();
        Map<String, String> marketplaceNames = new HashMap<>();
        for (CatalogProperties.Dimension d : p.dimensions()) {
            String dat = at + "dimension " + d.name() + ": ";
            if (d.name() == null || !d.name().matches("[a-z0-9][a-z0-9_.-]{0,63}")) {
                problems.add(at + "dimension name " + d.name() + " must match [a-z0-9][a-z0-9_.-]* (at most 64)");
                continue;
            }
            if (dims.containsKey(d.name())) {
                problems.add(dat + "listed twice");
            }
            if (d.marketplaceDimension() == null || d.marketplaceDimension().isBlank()) {
                problems.add(dat + "marketplace-dimension is required");
            } else if ("aliyun".equals(p.marketplace())) {
                checkAliyunItem(code, d, dat, problems);
            }
            // two of our dimensions on one marketplace item would be two records for one customer, item and hour: AWS
            // answers the second DuplicateRecord ("same customer, dimension, and time"), and Alibaba bills an item
            // (meteringAssit) once per entity, so one of them would never be billed
            String item = "aws".equals(p.marketplace()) ? d.marketplaceDimension() : d.meteringAssit();
            String other = item == null ? null : marketplaceNames.putIfAbsent(item, d.name());
            if (other != null) {
                problems.add(dat + "marketplace item " + item + " is already dimension " + other
                        + "'s: each dimension needs its own");
            }
            Optional<BigDecimal> unitValue = Money.unitValue(d.unitValue());
            if (unitValue.isEmpty()) {
                problems.add(dat + "unit-value (yuan per marketplace unit, as the listing prices it, e.g. 0.01) is "
                        + (d.unitValue() == null || d.unitValue().isBlank() ? "missing" : "not a positive decimal"
                        + " with at most 6 decimals: " + d.unitValue()));
                continue;
            }
            dims.put(d.name(), new MeteredDimension(code, p.marketplace(), d.name(), d.unit(), d.marketplaceDimension(),
                    d.meteringAssit(), unitValue.get(), Money.billingStep(unitValue.get())));
        }
        Set<String> seen = new HashSet<>();
        Map<String, List<Version>> byDimension = new LinkedHashMap<>();
        for (CatalogProperties.Price price : p.prices()) {
            String pat = at + "price of " + price.dimension() + " from " + price.effectiveFrom() + ": ";
            if (!dims.containsKey(price.dimension())) {
                problems.add(pat + "no such dimension");
                continue;
            }
            Instant from;
            try {
                from = Instant.parse(price.effectiveFrom());
            } catch (DateTimeParseException | NullPointerException e) {
                problems.add(pat + "effective-from must be an ISO-8601 UTC instant, e.g. 2026-01-01T00:00:00Z");
                continue;
            }
            if (!from.truncatedTo(ChronoUnit.HOURS).equals(from)) {
                problems.add(pat + "effective-from must be on an hour boundary (hours are rated at one price)");
            }
            BigDecimal units;
            try {
                units = new BigDecimal(price.units().trim());
            } catch (NumberFormatException | NullPointerException e) {
                problems.add(pat + "units must be a decimal number of marketplace units");
                continue;
            }
            if (units.signum() < 0 || units.stripTrailingZeros().scale() > 6) {
                problems.add(pat + "units must be >= 0 with at most 6 decimals");
            }
            String sku = price.sku() == null || price.sku().isBlank() ? null : price.sku();
            String cloud = price.cloud() == null || price.cloud().isBlank() ? null : price.cloud();
            if (cloud != null && !cloud.matches(UsageRecorded.CLOUD_PATTERN)) {
                problems.add(pat + "cloud " + cloud + " must be lower-case letters, digits or '-' (as usage names it)");
            }
            if (!seen.add(price.dimension() + "|" + sku + "|" + cloud + "|" + from)) {
                problems.add(pat + "two prices for the same dimension, SKU, cloud and time");
            }
            byDimension.computeIfAbsent(price.dimension(), k -> new ArrayList<>())
                    .add(new Version(sku, cloud, from, units));
        }
        for (String d : dims.keySet()) {
            List<Version> v = byDimension.getOrDefault(d, List.of());
            if (v.stream().noneMatch(x -> x.sku() == null && x.cloud() == null)) {
                problems.add(at + "dimension " + d + " has no price for every SKU and cloud (a price without sku "
                        + "and cloud)");
            }
            checkAmbiguity(at + "dimension " + d + ": ", v, problems);
            List<Version> sorted = new ArrayList<>(v);
            sorted.sort(Comparator.comparing(Version::from).reversed());
            versions.put(code + "/" + d, sorted);
        }
        products.put(code, p);
        dimensions.put(code, dims);
    }

    /**
     * A price for a SKU (every cloud) and one for a cloud (every SKU) would both apply to that SKU's usage on that
     * cloud: a price for the two together must be in force by the time both are.
     */
    private static void checkAmbiguity(String at, List<Version> v, List<String> problems) {
        Map<String, Instant> skuOnly = new LinkedHashMap<>();
        Map<String, Instant> cloudOnly = new LinkedHashMap<>();
        for (Version x : v) {
            if (x.sku() != null && x.cloud() == null) {
                skuOnly.merge(x.sku(), x.from(), (a, b) -> a.isBefore(b) ? a : b);
            } else if (x.sku() == null && x.cloud() != null) {
                cloudOnly.merge(x.cloud(), x.from(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        skuOnly.forEach((sku, skuFrom) -> cloudOnly.forEach((cloud, cloudFrom) -> {
            Instant both = skuFrom.isAfter(cloudFrom) ? skuFrom : cloudFrom;
            boolean resolved = v.stream().anyMatch(x -> sku.equals(x.sku()) && cloud.equals(x.cloud())
                    && !x.from().isAfter(both));
            if (!resolved) {
                problems.add(at + "the price of SKU " + sku + " and the price on cloud " + cloud + " both apply to "
                        + sku + " on " + cloud + " from " + both + ": add a price with sku " + sku + " and cloud "
                        + cloud);
            }
        }));
    }

    /**
     * An Alibaba billing item must be one Alibaba bills as pushed: marketbill reports whole listing units, and a key
     * Alibaba converts first (Period in seconds per hour, Storage in bytes per MB, ...) would bill a fraction of
     * them. Its id must name the product and the key.
     */
    private static void checkAliyunItem(String code, CatalogProperties.Dimension d, String at, List<String> problems) {
        Optional<AliyunMeteringKey> key = AliyunMeteringKey.of(d.marketplaceDimension());
        if (key.isEmpty()) {
            problems.add(at + "marketplace-dimension " + d.marketplaceDimension() + " is no PushMeteringData key");
            return;
        }
        if (!key.get().billedAsPushed()) {
            problems.add(at + "Alibaba converts " + d.marketplaceDimension() + " values before it bills them (÷ "
                    + key.get().divisor() + "), which marketbill does not do: use a key billed as pushed, e.g. Unit");
        }
        if (d.meteringAssit() == null || d.meteringAssit().isBlank()) {
            problems.add(at + "metering-assit is required for Alibaba Cloud Marketplace products");
        } else if (!key.get().isItemOf(code, d.meteringAssit())) {
            problems.add(at + "metering-assit " + d.meteringAssit() + " is not a billing item of this product and key ("
                    + code + "-" + d.marketplaceDimension() + "-<n>)");
        }
    }

    /** Whether a metered product is sold on this marketplace ({@code aliyun}, {@code aws}). */
    public boolean sellsOn(String marketplace) {
        return products.entrySet().stream().anyMatch(e -> dimensions.containsKey(e.getKey())
                && marketplace.equals(e.getValue().marketplace()));
    }

    /** The AWS seller account that lists an AWS product (null: the default one). */
    public String awsAccount(String productCode) {
        return product(productCode).map(CatalogProperties.Product::awsAccount).filter(a -> !a.isBlank()).orElse(null);
    }

    /** The codes of the metered products sold on a marketplace. */
    public List<String> productsOn(String marketplace) {
        return products.entrySet().stream()
                .filter(e -> dimensions.containsKey(e.getKey()) && marketplace.equals(e.getValue().marketplace()))
                .map(Map.Entry::getKey).toList();
    }

    public boolean isMetered(String productCode) {
        return dimensions.containsKey(productCode);
    }

    public Optional<CatalogProperties.Product> product(String productCode) {
        return Optional.ofNullable(products.get(productCode));
    }

    /** The product's dimensions, in catalog order (every hour reports each of them). */
    public List<MeteredDimension> dimensions(String productCode) {
        return List.copyOf(dimensions.getOrDefault(productCode, Map.of()).values());
    }

    public Optional<MeteredDimension> dimension(String productCode, String dimension) {
        return Optional.ofNullable(dimensions.getOrDefault(productCode, Map.of()).get(dimension));
    }

    /**
     * The price in force at the start of {@code hour}: the newest version for this SKU, else for every SKU.
     * Empty when the dimension is unknown or not priced yet at that time.
     */
    public Optional<RatePrice> price(String productCode, String sku, String dimension, Instant hour) {
        return price(productCode, sku, dimension, null, hour);
    }

    /**
     * The price in force at the start of {@code hour} for usage on {@code cloud} (null: it did not say): the newest
     * version for this SKU and cloud, else for this SKU or this cloud (never both: the catalog refuses that at start),
     * else for every SKU and cloud.
     */
    public Optional<RatePrice> price(String productCode, String sku, String dimension, String cloud, Instant hour) {
        List<Version> v = versions.get(productCode + "/" + dimension);
        if (v == null) {
            return Optional.empty();
        }
        Optional<Version> best = Optional.empty();
        int rank = -1;
        for (Version x : v) { // newest first: the first of each rank is the one in force
            boolean skuFits = x.sku() == null || x.sku().equals(sku);
            boolean cloudFits = x.cloud() == null || x.cloud().equals(cloud);
            int r = (x.sku() != null ? 2 : 0) + (x.cloud() != null ? 1 : 0);
            if (skuFits && cloudFits && !x.from().isAfter(hour) && r > rank) {
                best = Optional.of(x);
                rank = r;
            }
        }
        return best.map(x -> new RatePrice(x.units(), x.from().toString()
                + (x.cloud() == null ? "" : " on " + x.cloud())));
    }
}

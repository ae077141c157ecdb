package io.marketbill.billing.overview;

import io.marketbill.billing.catalog.PriceCatalog;
import io.marketbill.billing.ledger.LedgerRows;
import io.marketbill.billing.metering.OrganizationBillingStore;
import io.marketbill.billing.rating.Rating;
import io.marketbill.billing.rating.TrialRules;
import io.marketbill.contracts.OrganizationBilling;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The organization's billing overview (R10): the state it is in, as binding-service's organization record names it
 * (both fold the same {@code binding.v1} events: {@link OrganizationBilling}), through which channel it pays now
 * (the marketplace, the account, the instance), this hour's usage and what it costs so far, the hours reported and their state,
 * usage nobody pays for, and a link to the marketplace bill. For the organization's members and operators
 * (binding-service decides, see {@link OrganizationAccess}).
 */
@RestController
class BillingOverview {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final PriceCatalog catalog;
    private final OrganizationAccess access;
    private final OrganizationBillingStore organizations;

    BillingOverview(JdbcClient jdbc, Clock clock, PriceCatalog catalog, OrganizationAccess access,
                    OrganizationBillingStore organizations) {
        this.organizations = organizations;
        this.jdbc = jdbc;
        this.clock = clock;
        this.catalog = catalog;
        this.access = access;
    }

    @GetMapping("/api/billing/organizations/{organizationId}/overview")
    ResponseEntity<Map<String, Object>> overview(@PathVariable String organizationId,
            org.springframework.security.core.Authentication caller) {
        boolean operator = caller.getAuthorities().stream()
                .anyMatch(a -> ("ROLE_" + io.marketbill.security.TokenRules.OPERATOR).equals(a.getAuthority()));
        switch (access.check(caller.getName(), operator, organizationId)) {
            case NOT_VISIBLE:
                return ResponseEntity.status(404).body(Map.of("error", "not_found", "message",
                        "no organization " + organizationId));
            case DIRECTORY_UNAVAILABLE:
                return ResponseEntity.status(503).body(Map.of("error", "directory_unavailable", "message",
                        "cannot tell who may see this organization right now; try again"));
            default:
                break;
        }
        Instant now = clock.instant();
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        OrganizationBilling paying = organizations.find(organizationId);
        Map<String, Object> billing = new LinkedHashMap<>();
        billing.put("state", paying.state());
        billing.put("channel", paying.channel());
        billing.put("marketplace", paying.marketplace());
        billing.put("marketplaceAccountId", paying.marketplaceAccountId());
        billing.put("subscriptionId", paying.subscriptionId());
        billing.put("frozen", paying.frozen());
        billing.put("deploymentsStopped", paying.deploymentsStopped());
        billing.put("deploymentsDeleteAt", paying.deploymentsDeleteAt());
        // the subscription that pays (a frozen one still does: renewing it unfreezes the organization)
        Optional<Map<String, Object>> bound = paying.subscriptionId() == null ? Optional.empty() : jdbc.sql("""
                SELECT * FROM metered_subscription WHERE subscription_id = :s""")
                .param("s", paying.subscriptionId())
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    String sub = rs.getString("subscription_id");
                    String product = rs.getString("product_code");
                    m.put("subscriptionId", sub);
                    m.put("instanceId", sub.substring(sub.indexOf(':') + 1));
                    m.put("marketplace", rs.getString("marketplace"));
                    m.put("productCode", product);
                    m.put("productName", catalog.product(product).map(p -> p.name()).orElse(product));
                    m.put("skuId", rs.getString("sku_id"));
                    m.put("trial", rs.getBoolean("trial"));
                    m.put("metering", rs.getString("metering"));
                    m.put("boundAt", paying.lastBoundAt());
                    m.put("marketplaceBill", catalog.product(product).map(p -> p.billUrl()).orElse(null));
                    return m;
                }).optional();
        bound.ifPresent(b -> b.forEach(billing::putIfAbsent));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("organizationId", organizationId);
        out.put("billing", billing);
        String sub = bound.map(b -> (String) b.get("subscriptionId")).orElse(null);
        out.put("thisHour", thisHour(organizationId, sub, hour, bound));
        out.put("reportedHours", sub == null ? List.of() : jdbc.sql("""
                SELECT * FROM metering_record WHERE subscription_id = :s ORDER BY hour_start DESC, dimension LIMIT 48""")
                .param("s", sub).query((rs, n) -> LedgerRows.toMap(rs, now)).list());
        out.put("unbilledHours", jdbc.sql("""
                SELECT hour_start, dimension, reason, quantity_micros FROM unbilled_hour WHERE subject = :subject
                ORDER BY hour_start DESC LIMIT 48""")
                .param("subject", "org:" + organizationId)
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("hourStart", rs.getTimestamp(1).toInstant());
                    m.put("dimension", rs.getString(2));
                    m.put("reason", rs.getString(3));
                    m.put("quantity", quantity(rs.getLong(4)));
                    return m;
                }).list());
        return ResponseEntity.ok(out);
    }

    /**
     * This hour so far: usage per dimension and what it costs at today's price (before what is carried from earlier
     * hours), in the listing's units and in yuan.
     */
    private Map<String, Object> thisHour(String org, String sub, Instant hour, Optional<Map<String, Object>> bound) {
        List<Map<String, Object>> dims = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        // per dimension and cloud: a listing may price a dimension per cloud (R4); one subscription pays for all
        List<Object[]> usage = jdbc.sql("""
                SELECT dimension, cloud, SUM(quantity_micros) FROM usage_minute
                WHERE subject IN (:subjects) AND minute_start >= :hour GROUP BY dimension, cloud
                ORDER BY dimension, cloud""")
                .param("subjects", sub == null ? List.of("org:" + org) : List.of("org:" + org, "sub:" + sub))
                .param("hour", Timestamp.from(hour))
                .query((rs, n) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)}).list();
        for (Object[] u : usage) {
            Map<String, Object> d = new LinkedHashMap<>();
            String dimension = (String) u[0];
            String cloud = ((String) u[1]).isEmpty() ? null : (String) u[1];
            long micros = (Long) u[2];
            d.put("dimension", dimension);
            d.put("cloud", cloud);
            d.put("quantity", quantity(micros));
            Long units = null;
            BigDecimal yuan = null;
            if (bound.isPresent()) {
                String product = (String) bound.get().get("productCode");
                Optional<PriceCatalog.MeteredDimension> metered = catalog.dimension(product, dimension);
                Optional<PriceCatalog.RatePrice> price = catalog.price(product, (String) bound.get().get("skuId"),
                        dimension, cloud, hour);
                if (metered.isPresent() && price.isPresent()) {
                    units = Rating.rate(micros, price.get().unitsPerQuantity(), BigDecimal.ZERO,
                            metered.get().billingStep(), TrialRules.zeroRated((String) bound.get().get("marketplace"),
                                    Boolean.TRUE.equals(bound.get().get("trial")))).units();
                    yuan = metered.get().yuan(units);
                    total = total.add(yuan);
                }
            }
            d.put("units", units);
            d.put("yuan", yuan == null ? null : yuan.toPlainString());
            dims.add(d);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hourStart", hour);
        out.put("dimensions", dims);
        // units of different dimensions may be worth different amounts: only the yuan add up
        out.put("yuan", total.setScale(Math.max(2, total.scale())).toPlainString());
        return out;
    }

    private static String quantity(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }
}

package io.marketbill.simulator.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * BatchMeterUsage as spec §2.5 documents it: at most 25 records, one product per call, a time window (the
 * whole batch is refused if one record is outside it), one record per customer, dimension and time (the
 * same quantity again is accepted with the same id, another quantity is a DuplicateRecord), and
 * CustomerNotSubscribed for customers without an active subscription.
 */
final class AwsMeteringLedger {

    private final Duration window;
    private final Map<String, Map<String, Object>> byKey = new ConcurrentHashMap<>();

    /** Either the response body or the error that refuses the whole call. */
    record Outcome(Map<String, Object> body, String errorType, String errorMessage) {
    }

    AwsMeteringLedger(Duration window) {
        this.window = window;
    }

    synchronized Outcome batchMeterUsage(JsonNode in, Collection<AwsMarketplace.Customer> customers,
                                                               Set<String> unsubscribed, JsonMapper json) {
        JsonNode records = in.path("UsageRecords");
        if (!records.isArray() || records.isEmpty() || records.size() > 25) {
            return fail("ValidationException", "UsageRecords must hold 1 to 25 records");
        }
        Instant now = Instant.now();
        String product = in.path("ProductCode").asString("");
        for (JsonNode r : records) {
            Instant at = Instant.ofEpochMilli((long) (r.path("Timestamp").asDouble(0) * 1000));
            if (at.isBefore(now.minus(window)) || at.isAfter(now.plus(Duration.ofHours(1)))) {
                return fail("TimestampOutOfBoundsException", "a record at " + at + " is outside the accepted window");
            }
            long quantity = r.path("Quantity").asLong(0);
            String dimension = r.path("Dimension").asString("");
            if (quantity < 0 || quantity > Integer.MAX_VALUE || dimension.isEmpty() || dimension.length() > 255) {
                return fail("ValidationException", "Quantity must be 0..2147483647 and Dimension 1..255 characters");
            }
            String recordProduct = customer(r, customers).map(AwsMarketplace.Customer::productCode).orElse(product);
            if (!product.isEmpty() && !recordProduct.equals(product)) {
                return fail("InvalidProductCodeException", "all records of a call must be for one product");
            }
            product = recordProduct;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (JsonNode r : records) {
            Map<String, Object> usage = json.convertValue(r, Map.class);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("UsageRecord", usage);
            Optional<AwsMarketplace.Customer> c = customer(r, customers);
            if (c.isEmpty() || unsubscribed.contains(c.get().licenseArn())) {
                result.put("Status", "CustomerNotSubscribed");
                results.add(result);
                continue;
            }
            String key = c.get().licenseArn() + "|" + r.path("Dimension").asString() + "|" + r.path("Timestamp").asString();
            Map<String, Object> previous = byKey.get(key);
            long quantity = r.path("Quantity").asLong(0);
            if (previous != null && ((Number) previous.get("Quantity")).longValue() != quantity) {
                result.put("Status", "DuplicateRecord");
            } else {
                if (previous == null) {
                    previous = new LinkedHashMap<>();
                    previous.put("MeteringRecordId", UUID.randomUUID().toString());
                    previous.put("LicenseArn", c.get().licenseArn());
                    previous.put("CustomerAWSAccountId", c.get().accountId());
                    previous.put("Dimension", r.path("Dimension").asString());
                    previous.put("Timestamp", Instant.ofEpochMilli((long) (r.path("Timestamp").asDouble() * 1000)).toString());
                    previous.put("Quantity", quantity);
                    byKey.put(key, previous);
                }
                result.put("MeteringRecordId", previous.get("MeteringRecordId"));
                result.put("Status", "Success");
            }
            results.add(result);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Results", results);
        out.put("UnprocessedRecords", List.of());
        return new Outcome(out, null, null);
    }

    private static Optional<AwsMarketplace.Customer> customer(JsonNode r, Collection<AwsMarketplace.Customer> customers) {
        String license = r.path("LicenseArn").asString("");
        String account = r.path("CustomerAWSAccountId").asString("");
        String legacy = r.path("CustomerIdentifier").asString("");
        return customers.stream().filter(c -> (!license.isEmpty() && c.licenseArn().equals(license)
                && (account.isEmpty() || c.accountId().equals(account)))
                || (license.isEmpty() && !legacy.isEmpty() && c.customerIdentifier().equals(legacy))).findFirst();
    }

    private static Outcome fail(String type, String message) {
        return new Outcome(null, type, message);
    }

    List<Map<String, Object>> accepted() {
        return List.copyOf(byKey.values());
    }
}

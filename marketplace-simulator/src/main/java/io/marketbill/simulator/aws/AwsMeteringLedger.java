package io.marketbill.simulator.aws;

import io.marketbill.simulator.faults.Faults;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * BatchMeterUsage as the Metering Service documents it (the Smithy model,
 * https://github.com/aws/aws-sdk-js-v3/blob/main/codegen/sdk-codegen/aws-models/marketplace-metering.json, "[MM-NEW]"
 * below). Request-level refusals (the whole call, nothing billed) come first, record by record; then every record gets
 * its result. Each rule names its source.
 */
final class AwsMeteringLedger {

    /** What the ledger needs to know of the marketplace: its customers, subscriptions and listings. */
    interface Directory {
        Optional<AwsMarketplace.Customer> byLicense(String licenseArn);

        Optional<AwsMarketplace.Customer> byIdentifier(String customerIdentifier);

        List<AwsMarketplace.Customer> byAccount(String productCode, String accountId);

        /** False once unsubscribe-success was sent, or the unsubscribe-pending grace has run out. */
        boolean subscribed(AwsMarketplace.Customer c, Instant now);

        /** The listing's dimensions, when the simulator was given them. */
        Optional<Set<String>> dimensions(String productCode);
    }

    /** Either the response body or the error that refuses the whole call. */
    record Outcome(Map<String, Object> body, String errorType, String errorMessage) {
    }

    private final Map<String, Map<String, Object>> byKey = new ConcurrentHashMap<>();

    synchronized Outcome batchMeterUsage(JsonNode in, Directory directory, Instant now, MeteringWindow window,
                                         Duration fixedWindow, Duration futureTolerance, Faults faults,
                                         Random unprocessed, JsonMapper json) {
        JsonNode records = in.path("UsageRecords");
        // [MM-NEW] UsageRecordList: 0..25 members; BatchMeterUsage "can process up to 25 UsageRecords at a time"
        if (!records.isArray() || records.isEmpty() || records.size() > 25) {
            return fail("ValidationException", "UsageRecords must hold 1 to 25 records");
        }
        String product = in.path("ProductCode").asString("");
        List<AwsMarketplace.Customer> owners = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (JsonNode r : records) {
            Instant at = timestamp(r);
            // [MM-NEW] TimestampOutOfBoundsException: "if any of the records are outside of the allowed range, the
            // entire batch is not processed"; the range per profile is MeteringWindow's
            Optional<String> late = window.refusal(at, now, futureTolerance, fixedWindow);
            if (late.isPresent()) {
                return fail("TimestampOutOfBoundsException", late.get());
            }
            long quantity = r.path("Quantity").asLong(0);
            String dimension = r.path("Dimension").asString("");
            // [MM-NEW] UsageQuantity: integer 0..2147483647; UsageDimension: 1..255 characters
            if (quantity < 0 || quantity > Integer.MAX_VALUE || dimension.isEmpty() || dimension.length() > 255) {
                return fail("ValidationException", "Quantity must be 0..2147483647 and Dimension 1..255 characters");
            }
            Identity id = identity(r, product, directory);
            if (id.errorType != null) {
                return fail(id.errorType, id.errorMessage);
            }
            AwsMarketplace.Customer c = id.customer;
            // [MM-NEW] BatchMeterUsage: "Each BatchMeterUsage request is for only one product"
            if (!product.isEmpty() && !c.productCode().equals(product)) {
                return fail("InvalidProductCodeException", "all records of a call must be for product " + product);
            }
            product = c.productCode();
            // [MM-NEW] InvalidLicenseException: "usage is within the license activation period". Compared on the hour
            // AWS aggregates usage on (an hour that overlaps the period is inside it): UNVERIFIED granularity
            Instant hour = at.truncatedTo(ChronoUnit.HOURS);
            if ((c.licenseStart() != null && !hour.plus(Duration.ofHours(1)).isAfter(c.licenseStart()))
                    || (c.licenseEnd() != null && !hour.isBefore(c.licenseEnd()))) {
                return fail("InvalidLicenseException", "usage at " + at + " is outside the activation period of "
                        + c.licenseArn());
            }
            // [MM-NEW] InvalidUsageDimensionException: "The usage dimension does not match one of the UsageDimensions
            // associated with products"
            Optional<Set<String>> listed = directory.dimensions(product);
            if (listed.isPresent() && !listed.get().contains(dimension)) {
                return fail("InvalidUsageDimensionException", "dimension " + dimension + " is not one of product "
                        + product + "'s " + listed.get());
            }
            owners.add(c);
            keys.add(identityKey(c) + "|" + dimension + "|" + hour);
        }
        Optional<Faults.Poison> poison = faults.poisoned("aws", keys);
        if (poison.isPresent()) {
            String type = poison.get().error() == null ? "InvalidUsageDimensionException" : poison.get().error();
            return fail(type, "fault injection (rule " + poison.get().ruleId() + "): record " + poison.get().key()
                    + " is refused");
        }
        List<Map<String, Object>> results = new ArrayList<>();
        List<Map<String, Object>> left = new ArrayList<>();
        int i = 0;
        for (JsonNode r : records) {
            AwsMarketplace.Customer c = owners.get(i);
            String key = keys.get(i++);
            @SuppressWarnings("unchecked")
            Map<String, Object> usage = json.convertValue(r, Map.class);
            // [MM-NEW] UnprocessedRecords: "errors on the service side that should be retried" (fault injection only)
            if (unprocessed != null && (records.size() == 1 || unprocessed.nextBoolean())) {
                left.add(usage);
                continue;
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("UsageRecord", usage);
            // [MM-NEW] UsageRecordResult Status CustomerNotSubscribed: "The CustomerIdentifier specified is not able to
            // use your product. The UsageRecord was not honored. There is not an active subscription"
            if (!directory.subscribed(c, now)) {
                result.put("Status", "CustomerNotSubscribed");
                results.add(result);
                continue;
            }
            // one record per customer, dimension and hour, the first one wins (AWS's metering skill,
            // github.com/aws/agent-toolkit-for-aws, aws-marketplace-metering: "first-write-wins ... per
            // CustomerAWSAccountId + LicenseArn + dimension + hour"); [MM-NEW] DuplicateRecord: "same customer,
            // dimension, and time, but a different quantity"; identical requests are idempotent
            Map<String, Object> previous = byKey.get(key);
            long quantity = r.path("Quantity").asLong(0);
            if (previous != null && ((Number) previous.get("Quantity")).longValue() != quantity) {
                result.put("Status", "DuplicateRecord");
            } else {
                if (previous == null) {
                    previous = new LinkedHashMap<>();
                    previous.put("MeteringRecordId", UUID.randomUUID().toString());
                    previous.put("LicenseArn", c.licenseArn());
                    previous.put("CustomerAWSAccountId", c.accountId());
                    if (c.customerIdentifier() != null) {
                        previous.put("CustomerIdentifier", c.customerIdentifier());
                    }
                    previous.put("Dimension", r.path("Dimension").asString());
                    previous.put("Timestamp", timestamp(r).toString());
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
        out.put("UnprocessedRecords", left);
        return new Outcome(out, null, null);
    }

    private static Instant timestamp(JsonNode r) {
        // the JSON 1.1 protocol sends timestamps as epoch seconds, possibly with a fraction
        return Instant.ofEpochMilli((long) (r.path("Timestamp").asDouble(0) * 1000));
    }

    private static String identityKey(AwsMarketplace.Customer c) {
        return c.licenseArn();
    }

    private record Identity(AwsMarketplace.Customer customer, String errorType, String errorMessage) {
    }

    /**
     * Who a record meters. [MM-NEW] UsageRecord: {@code CustomerIdentifier} and {@code CustomerAWSAccountId} are
     * mutually exclusive ("You can't specify both", AWS SDK documentation of BatchMeterUsage); {@code LicenseArn}
     * goes with {@code CustomerAWSAccountId}. The error code of a record with both, or neither, is UNVERIFIED
     * (ValidationException, AWS's code for input that breaks the model's constraints).
     */
    private static Identity identity(JsonNode r, String product, Directory directory) {
        String license = r.path("LicenseArn").asString("");
        String account = r.path("CustomerAWSAccountId").asString("");
        String legacy = r.path("CustomerIdentifier").asString("");
        if (!legacy.isEmpty() && !account.isEmpty()) {
            return new Identity(null, "ValidationException",
                    "CustomerIdentifier and CustomerAWSAccountId are mutually exclusive");
        }
        if (!license.isEmpty() && account.isEmpty()) {
            return new Identity(null, "ValidationException", "LicenseArn needs CustomerAWSAccountId");
        }
        if (legacy.isEmpty() && account.isEmpty()) {
            return new Identity(null, "ValidationException", "a record needs CustomerIdentifier or CustomerAWSAccountId");
        }
        if (!legacy.isEmpty()) {
            // [MM-NEW] InvalidCustomerIdentifierException: "You have metered usage for a CustomerIdentifier that does
            // not exist"; new integrations have none ("BatchMeterUsage does not support CustomerIdentifier for new
            // integrations")
            return directory.byIdentifier(legacy).map(c -> new Identity(c, null, null)).orElse(new Identity(null,
                    "InvalidCustomerIdentifierException", "no customer " + legacy));
        }
        if (!license.isEmpty()) {
            // [MM-NEW] InvalidLicenseException: "Ensure the LicenseArn is valid, matches the customer"
            Optional<AwsMarketplace.Customer> c = directory.byLicense(license);
            if (c.isEmpty() || !c.get().accountId().equals(account)) {
                return new Identity(null, "InvalidLicenseException", "license " + license
                        + (c.isEmpty() ? " does not exist" : " is not account " + account + "'s"));
            }
            return new Identity(c.get(), null, null);
        }
        // an account without a license (the 2023 CustomerAWSAccountId integration, and SDKs that predate LicenseArn):
        // the account's only subscription to the product; with several, the license must be named (UNVERIFIED)
        List<AwsMarketplace.Customer> of = directory.byAccount(product, account);
        if (of.isEmpty()) {
            return new Identity(null, "InvalidCustomerIdentifierException", "account " + account
                    + " has no subscription to " + product);
        }
        if (of.size() > 1) {
            return new Identity(null, "InvalidLicenseException", "account " + account + " holds " + of.size()
                    + " licenses of " + product + ": name the LicenseArn");
        }
        return new Identity(of.get(0), null, null);
    }

    private static Outcome fail(String type, String message) {
        return new Outcome(null, type, message);
    }

    List<Map<String, Object>> accepted() {
        return List.copyOf(byKey.values());
    }
}

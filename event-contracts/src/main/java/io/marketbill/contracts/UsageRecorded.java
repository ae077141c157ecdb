package io.marketbill.contracts;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Usage of one dimension by one organization or subscription at one moment: the data of a CloudEvent of
 * type {@link #TYPE} on {@code usage.v1} (structured mode, JSON), or posted to the gateway's
 * {@code POST /api/usage}. Deduplicated by ({@code source}, {@code id}).
 *
 * <p>Exactly one of {@code organizationId} and {@code subscriptionId} names who used it. The quantity is in
 * the dimension's unit of measure (e.g. CU-hours), non-negative, with at most {@link #MAX_SCALE} decimals.
 * {@code cloud}, the CloudEvents extension attribute of the same name, says where the resource runs (e.g.
 * {@code aliyun}, {@code aws}, {@code azure}): a listing may price a dimension per cloud (R4), and the one subscription
 * bound to the organization pays for every cloud's usage. Absent: the listing's price for every cloud.
 * A value that breaks a rule is refused with an {@link InvalidUsageException} naming the reason.
 */
public record UsageRecorded(String source, String id, Instant time, String organizationId, String subscriptionId,
                            String dimension, BigDecimal quantity, String cloud) {

    public static final String TYPE = "io.marketbill.usage.recorded.v1";
    public static final int MAX_SCALE = 6;
    // 10^9 per event keeps a minute's sum of micro-units far inside a signed 64-bit integer
    public static final BigDecimal MAX_QUANTITY = new BigDecimal("1000000000");
    static final int MAX_ID_LENGTH = 200;
    /** What a cloud is called: lower-case letters, digits and '-', starting with a letter, at most 32. */
    public static final String CLOUD_PATTERN = "[a-z][a-z0-9-]{0,31}";

    /** Usage that does not say where it runs. */
    public UsageRecorded(String source, String id, Instant time, String organizationId, String subscriptionId,
                         String dimension, BigDecimal quantity) {
        this(source, id, time, organizationId, subscriptionId, dimension, quantity, null);
    }

    public UsageRecorded {
        source = text("source", source, MAX_ID_LENGTH);
        id = text("id", id, MAX_ID_LENGTH);
        if (time == null) {
            throw new InvalidUsageException("missing_time", "time is required (RFC 3339)");
        }
        organizationId = blankToNull(organizationId);
        subscriptionId = blankToNull(subscriptionId);
        if ((organizationId == null) == (subscriptionId == null)) {
            throw new InvalidUsageException("missing_subject",
                    "exactly one of data.organizationId and data.subscriptionId is required");
        }
        if (organizationId != null) {
            text("organizationId", organizationId, MAX_ID_LENGTH);
        } else {
            try {
                SubscriptionIds.marketplaceOf(subscriptionId);
            } catch (IllegalArgumentException e) {
                throw new InvalidUsageException("bad_subscription_id", "data.subscriptionId " + e.getMessage());
            }
            text("subscriptionId", subscriptionId, 512);
        }
        dimension = text("dimension", dimension, 64);
        if (!dimension.matches("[a-z0-9][a-z0-9_.-]*")) {
            throw new InvalidUsageException("bad_dimension",
                    "data.dimension must be lower-case letters, digits, '_', '.' or '-'");
        }
        if (quantity == null) {
            throw new InvalidUsageException("bad_quantity", "data.quantity is required");
        }
        if (quantity.signum() < 0 || quantity.compareTo(MAX_QUANTITY) > 0) {
            throw new InvalidUsageException("bad_quantity", "data.quantity must be between 0 and " + MAX_QUANTITY);
        }
        quantity = quantity.stripTrailingZeros();
        if (quantity.scale() > MAX_SCALE) {
            throw new InvalidUsageException("bad_quantity",
                    "data.quantity has more than " + MAX_SCALE + " decimals");
        }
        if (quantity.scale() < 0) {
            quantity = quantity.setScale(0);
        }
        cloud = blankToNull(cloud);
        if (cloud != null && !cloud.matches(CLOUD_PATTERN)) {
            throw new InvalidUsageException("bad_cloud", "cloud must be lower-case letters, digits or '-', starting "
                    + "with a letter, at most 32 (e.g. aliyun, aws, azure)");
        }
    }

    /** The Kafka key: the subscription id, else the organization id. */
    public String key() {
        return subscriptionId != null ? subscriptionId : organizationId;
    }

    /** The quantity in millionths of the unit of measure, exactly. */
    public long quantityMicros() {
        return quantity.movePointRight(MAX_SCALE).longValueExact();
    }

    private static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw new InvalidUsageException("missing_" + snake(field), field + " is required");
        }
        if (value.length() > max || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidUsageException("bad_" + snake(field),
                    field + " must be at most " + max + " printable ASCII characters without spaces");
        }
        return value;
    }

    private static String snake(String field) {
        return field.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

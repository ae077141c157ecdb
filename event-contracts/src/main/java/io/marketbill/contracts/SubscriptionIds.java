package io.marketbill.contracts;

/**
 * Subscription ids are derived from the marketplace's own identifiers, so that a retried callback maps to
 * the same subscription without a lookup: {@code aliyun:<instanceId>}, {@code aws:<account>:<license id>}
 * or, for legacy AWS integrations without a license, {@code aws:<CustomerIdentifier>}.
 */
public final class SubscriptionIds {

    private SubscriptionIds() {
    }

    public static String aliyun(String instanceId) {
        return Marketplace.ALIYUN.id() + ":" + requireToken("instanceId", instanceId);
    }

    public static String aws(String customerAwsAccountId, String licenseArn) {
        return Marketplace.AWS.id() + ":" + requireToken("customerAwsAccountId", customerAwsAccountId) + ":"
                + licenseId(licenseArn);
    }

    public static String awsLegacy(String customerIdentifier) {
        return Marketplace.AWS.id() + ":" + requireToken("customerIdentifier", customerIdentifier);
    }

    /** The {@code l-...} part of a License Manager ARN (with or without the leading {@code arn:}). */
    public static String licenseId(String licenseArn) {
        String arn = requireToken("licenseArn", licenseArn);
        int slash = arn.lastIndexOf('/');
        int colon = arn.lastIndexOf(':');
        String tail = arn.substring(Math.max(slash, colon) + 1);
        if (!tail.startsWith("l-") || tail.length() < 3) {
            throw new IllegalArgumentException("not a license ARN: " + licenseArn);
        }
        return tail;
    }

    /** The marketplace part of a subscription id. */
    public static Marketplace marketplaceOf(String subscriptionId) {
        int colon = subscriptionId == null ? -1 : subscriptionId.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a subscription id: " + subscriptionId);
        }
        return Marketplace.fromId(subscriptionId.substring(0, colon));
    }

    private static String requireToken(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (value.length() > 200 || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(name + " must be at most 200 printable ASCII characters");
        }
        return value;
    }
}

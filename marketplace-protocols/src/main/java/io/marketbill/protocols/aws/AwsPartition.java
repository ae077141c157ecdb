package io.marketbill.protocols.aws;

import java.net.URI;

/**
 * Which AWS partition a region is in, and the Marketplace endpoints there. The Metering Service's endpoint rules
 * (its Smithy model's endpoint tests, e.g. {@code https://metering.marketplace.cn-northwest-1.amazonaws.com.cn}):
 * partition {@code aws} is {@code metering.marketplace.<region>.amazonaws.com}, {@code aws-cn} is the same name in
 * {@code amazonaws.com.cn}. The two partitions have separate accounts and credentials.
 */
public enum AwsPartition {
    AWS("amazonaws.com"), AWS_CN("amazonaws.com.cn");

    private final String domain;

    AwsPartition(String domain) {
        this.domain = domain;
    }

    /** The partition of a region name ({@code cn-north-1}, {@code cn-northwest-1}: China). */
    public static AwsPartition of(String region) {
        return region != null && region.startsWith("cn-") ? AWS_CN : AWS;
    }

    /** {@code https://metering.marketplace.<region>.<partition domain>}. */
    public static URI meteringEndpoint(String region) {
        return URI.create("https://metering.marketplace." + region + "." + of(region).domain);
    }
}

package io.marketbill.protocols.aws;

import java.net.URI;

/**
 * One AWS seller account that lists products: where it is (the region, hence the partition: AWS global and AWS
 * China are separate partitions with separate accounts and credentials), how it signs, and the Metering Service it
 * calls. A vendor listed on AWS global and AWS China has two, and each listing names its own; the services read
 * them from the same settings, so they agree.
 *
 * @param region           the region calls are signed for; us-east-1 unless set
 * @param meteringEndpoint the Metering Service (or the simulator); unset: derived from the region
 * @param accessKeyId      the account's access key id
 * @param secretAccessKey  its secret; a secret, never shown
 * @param sessionToken     for temporary credentials, optional
 */
public record AwsAccount(String region, URI meteringEndpoint, String accessKeyId, String secretAccessKey,
                         String sessionToken) {

    public AwsAccount {
        region = region == null || region.isBlank() ? "us-east-1" : region;
        meteringEndpoint = meteringEndpoint == null || meteringEndpoint.toString().isBlank()
                ? AwsPartition.meteringEndpoint(region) : meteringEndpoint;
        sessionToken = sessionToken == null || sessionToken.isBlank() ? null : sessionToken;
    }

    /** The name of the account of listings that name none. */
    public static final String DEFAULT = "default";

    /**
     * A service's seller accounts: {@code defaultAccount} under {@link #DEFAULT}, then the named ones (a name
     * without settings is an account without credentials). One copy for the gateway and billing-service.
     */
    public static java.util.Map<String, AwsAccount> byName(AwsAccount defaultAccount,
                                                           java.util.Map<String, AwsAccount> named) {
        java.util.Map<String, AwsAccount> all = new java.util.LinkedHashMap<>();
        all.put(DEFAULT, defaultAccount);
        if (named != null) {
            named.forEach((name, a) -> {
                if (!DEFAULT.equals(name)) {
                    all.put(name, a == null ? new AwsAccount(null, null, null, null, null) : a);
                }
            });
        }
        return java.util.Collections.unmodifiableMap(all);
    }

    public AwsPartition partition() {
        return AwsPartition.of(region);
    }

    public boolean configured() {
        return accessKeyId != null && !accessKeyId.isBlank() && secretAccessKey != null && !secretAccessKey.isBlank();
    }

    public SigV4.Credentials credentials() {
        return new SigV4.Credentials(accessKeyId, secretAccessKey, sessionToken);
    }

    @Override
    public String toString() {
        return "AwsAccount[region=" + region + ", metering=" + meteringEndpoint + ", accessKeyId=" + accessKeyId
                + ", secret=<hidden>]";
    }
}

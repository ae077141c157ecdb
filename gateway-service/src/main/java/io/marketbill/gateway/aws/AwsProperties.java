package io.marketbill.gateway.aws;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code marketbill.aws.*}: the seller account's credentials and region (China: {@code cn-northwest-1}).
 *
 * @param region           where the product is listed; picks the endpoints
 * @param accessKeyId      the seller account's key (env AWS_ACCESS_KEY_ID); a secret
 * @param secretAccessKey  (env AWS_SECRET_ACCESS_KEY); a secret
 * @param sessionToken     for temporary credentials (env AWS_SESSION_TOKEN), optional
 * @param meteringEndpoint overrides {@code https://metering.marketplace.<region>.amazonaws.com[.cn]} (the simulator)
 * @param timeout          per call to AWS
 */
@ConfigurationProperties("marketbill.aws")
public record AwsProperties(String region, String accessKeyId, String secretAccessKey, String sessionToken,
                            URI meteringEndpoint, Duration timeout) {

    public AwsProperties {
        region = region == null || region.isBlank() ? "us-east-1" : region;
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        sessionToken = sessionToken == null || sessionToken.isBlank() ? null : sessionToken;
    }

    /** The Marketplace Metering Service endpoint of the region (China uses the .com.cn domain). */
    public URI metering() {
        if (meteringEndpoint != null) {
            return meteringEndpoint;
        }
        return URI.create("https://metering.marketplace." + region + ".amazonaws.com" + (region.startsWith("cn-") ? ".cn" : ""));
    }

    public boolean hasCredentials() {
        return accessKeyId != null && !accessKeyId.isBlank() && secretAccessKey != null && !secretAccessKey.isBlank();
    }

    @Override
    public String toString() {
        return "AwsProperties[region=" + region + ", accessKeyId=" + accessKeyId + ", secret=<hidden>, metering="
                + metering() + "]";
    }
}

package io.marketbill.gateway.aws;

import io.marketbill.protocols.aws.AwsAccount;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code marketbill.aws.*}: the default seller account's credentials and region (China: {@code cn-northwest-1}), and
 * any other seller accounts by name (a vendor listed on AWS global and AWS China has one in each partition; a listing
 * names its own with {@code aws-account} in the products file).
 *
 * @param region           where the product is listed; picks the endpoints. Environment: AWS_REGION.
 * @param accessKeyId      the seller account's access key id (ResolveCustomer, BatchMeterUsage); a secret.
 *                         Environment: AWS_ACCESS_KEY_ID.
 * @param secretAccessKey  that key's secret; a secret. Environment: AWS_SECRET_ACCESS_KEY.
 * @param sessionToken     for temporary credentials, optional. Environment: AWS_SESSION_TOKEN.
 * @param meteringEndpoint overrides {@code https://metering.marketplace.<region>.amazonaws.com[.cn]} (the simulator).
 *                         Environment: AWS_METERING_ENDPOINT.
 * @param accounts         further seller accounts by name ({@code china}: AWS_CN_REGION, AWS_CN_ACCESS_KEY_ID,
 *                         AWS_CN_SECRET_ACCESS_KEY, AWS_CN_SESSION_TOKEN, AWS_CN_METERING_ENDPOINT), the same settings
 *                         billing-service reads
 * @param timeout          per call to AWS
 * @param sns              the SNS HTTPS endpoint's settings
 * @param eventbridge      the EventBridge API destination's settings
 */
@ConfigurationProperties("marketbill.aws")
public record AwsProperties(String region, String accessKeyId, String secretAccessKey, String sessionToken,
                            URI meteringEndpoint, java.util.Map<String, AwsAccount> accounts, Duration timeout, Sns sns,
                            EventBridge eventbridge) {

    /** The account of listings that name none. */
    public static final String DEFAULT_ACCOUNT = AwsAccount.DEFAULT;

    /**
     * @param topicArns     the only topics whose subscriptions are confirmed and whose messages are accepted
     *                      (comma-separated). Environment: AWS_SNS_TOPIC_ARNS.
     * @param testCaPem     a PEM file of a CA (the simulator's) whose certificates are also trusted; unset by default
     * @param testCertHosts {@code host:port} from which that CA's certificates may be fetched (http allowed)
     */
    public record Sns(java.util.List<String> topicArns, java.nio.file.Path testCaPem,
                      java.util.List<String> testCertHosts) {
        public Sns {
            topicArns = topicArns == null ? java.util.List.of() : java.util.List.copyOf(topicArns);
            testCertHosts = testCertHosts == null ? java.util.List.of() : java.util.List.copyOf(testCertHosts);
        }
    }

    /**
     * @param headerName     the header the API destination's connection sends (API key authorization)
     * @param secret         its value; a secret. Unset: the endpoint refuses everything. Environment:
     *                       AWS_EVENTBRIDGE_SECRET.
     * @param publishTimeout the longest {@code /marketplace/aws/events} takes to answer, subscription-service's
     *                       answers and the Kafka publish together (4s): under the API destination's 5 s timeout, so
     *                       a slow broker is a 503 that EventBridge retries, not a timeout it retries anyway
     */
    public record EventBridge(String headerName, String secret, Duration publishTimeout) {
        public EventBridge {
            headerName = headerName == null || headerName.isBlank() ? "x-marketbill-eventbridge-key" : headerName;
            publishTimeout = publishTimeout == null ? Duration.ofSeconds(4) : publishTimeout;
        }

        @Override
        public String toString() {
            return "EventBridge[headerName=" + headerName + ", secret=<hidden>, publishTimeout=" + publishTimeout + "]";
        }
    }

    public AwsProperties {
        region = region == null || region.isBlank() ? "us-east-1" : region;
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        sessionToken = sessionToken == null || sessionToken.isBlank() ? null : sessionToken;
        sns = sns == null ? new Sns(null, null, null) : sns;
        eventbridge = eventbridge == null ? new EventBridge(null, null, null) : eventbridge;
        accounts = AwsAccount.byName(new AwsAccount(region, meteringEndpoint, accessKeyId, secretAccessKey,
                sessionToken), accounts);
    }

    /** A seller account by name (null: the default one); empty for a name not configured. */
    public java.util.Optional<AwsAccount> account(String name) {
        return java.util.Optional.ofNullable(accounts.get(name == null ? DEFAULT_ACCOUNT : name));
    }

    /** The default account's Marketplace Metering Service endpoint (China uses the .com.cn domain). */
    public URI metering() {
        return accounts.get(DEFAULT_ACCOUNT).meteringEndpoint();
    }

    public boolean hasCredentials() {
        return accounts.get(DEFAULT_ACCOUNT).configured();
    }

    @Override
    public String toString() {
        return "AwsProperties[accounts=" + accounts + "]";
    }
}

package io.marketbill.billing.ledger;

import io.marketbill.billing.BillingProperties;
import io.marketbill.protocols.aws.AwsAccount;
import io.marketbill.protocols.aws.SigV4;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * AWS Marketplace Metering Service {@code BatchMeterUsage}: JSON 1.1 over HTTPS with SigV4 (signing name
 * {@code aws-marketplace}), each product's call made as the seller account that lists it (its region, endpoint and
 * credentials: AWS global and AWS China are separate partitions); the AWS SDK's metering module served here predates
 * {@code LicenseArn}, so it only checks this client in tests.
 */
@Component
class AwsMeteringClient {

    private final BillingProperties.Aws props;
    private final io.marketbill.billing.catalog.PriceCatalog catalog;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock wallClock = Clock.systemUTC();

    AwsMeteringClient(BillingProperties props, io.marketbill.billing.catalog.PriceCatalog catalog) {
        this.props = props.aws();
        this.catalog = catalog;
        this.http = HttpClient.newBuilder().connectTimeout(this.props.timeout()).build();
        java.util.List<String> unknown = catalog.productsOn("aws").stream()
                .filter(code -> this.props.account(catalog.awsAccount(code)).isEmpty())
                .map(code -> "product " + code + ": aws-account " + catalog.awsAccount(code)
                        + " is not configured (marketbill.billing.aws.accounts." + catalog.awsAccount(code) + ".*)")
                .toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException(String.join("; ", unknown));
        }
    }

    /** The seller account that lists a product. */
    AwsAccount account(String productCode) {
        return props.account(catalog.awsAccount(productCode)).orElseThrow();
    }

    /** Whether the account that lists this product has credentials. */
    boolean configured(String productCode) {
        return account(productCode).configured();
    }

    /** A call for one product's records, as the account that lists {@code productCode}. */
    MarketplaceAnswer batchMeterUsage(String productCode, Map<String, Object> request) {
        AwsAccount account = account(productCode);
        byte[] payload = json.writeValueAsBytes(request);
        URI endpoint = account.meteringEndpoint();
        Instant now = wallClock.instant();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort());
        headers.put("content-type", "application/x-amz-json-1.1");
        headers.put("x-amz-date", SigV4.AMZ_DATE.format(now));
        headers.put("x-amz-target", "AWSMPMeteringService.BatchMeterUsage");
        if (account.sessionToken() != null) {
            headers.put("x-amz-security-token", account.sessionToken());
        }
        SigV4.Request signed = new SigV4.Request("POST", "/", "", headers, SigV4.sha256Hex(payload));
        String authorization = SigV4.authorization(signed, now, account.region(), "aws-marketplace",
                account.credentials());
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve("/")).timeout(props.timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).header("Authorization", authorization);
        headers.forEach((k, v) -> {
            if (!k.equals("host")) {
                b.header(k, v);
            }
        });
        return MarketplaceAnswer.call(http, b.build(), (status, body) -> {
            if (status == 200) {
                return new MarketplaceAnswer(MarketplaceAnswer.Kind.ACCEPTED, 200, null, null, body);
            }
            String type = body.path("__type").asString("HttpError" + status);
            type = type.substring(type.lastIndexOf('#') + 1);
            String message = body.path("message").asString(body.path("Message").asString(""));
            // throttling and the service's own failures are worth retrying; the rest is about our request
            return new MarketplaceAnswer(status >= 500 ? MarketplaceAnswer.Kind.UNKNOWN : MarketplaceAnswer.Kind.REFUSED,
                    status, type, message, body);
        });
    }
}

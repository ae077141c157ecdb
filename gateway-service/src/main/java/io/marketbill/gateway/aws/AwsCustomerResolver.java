package io.marketbill.gateway.aws;

import io.marketbill.protocols.aws.AwsAccount;
import io.marketbill.protocols.aws.SigV4;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ResolveCustomer, the one call of the AWS Marketplace Metering Service the gateway makes (JSON 1.1 over HTTPS, SigV4,
 * signing name {@code aws-marketplace}): the registration token to the customer and product. Named for it, apart
 * from billing-service's {@code AwsMeteringClient}, which reports usage; the AWS SDK module is not available here.
 */
@Component
public class AwsCustomerResolver {

    /** What ResolveCustomer says about a registration token. */
    public record ResolvedCustomer(String customerIdentifier, String customerAwsAccountId, String productCode,
                                   String licenseArn) {
    }

    /** An error answer of the service, e.g. {@code InvalidTokenException}. */
    public static class AwsServiceException extends RuntimeException {
        private final String type;
        private final int status;

        public AwsServiceException(String type, int status, String message) {
            super(type + " (" + status + "): " + message);
            this.type = type;
            this.status = status;
        }

        public String type() {
            return type;
        }

        public int status() {
            return status;
        }
    }

    private final AwsProperties props;
    private final WebClient web;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock;

    AwsCustomerResolver(AwsProperties props, Clock clock) {
        this.props = props;
        this.web = WebClient.builder().build();
        this.clock = clock;
    }

    public Mono<ResolvedCustomer> resolveCustomer(String registrationToken) {
        return resolveCustomer(null, registrationToken);
    }

    /** Whether a seller account of this name is configured (null: the default one, always). */
    public boolean knowsAccount(String accountName) {
        return props.account(accountName).isPresent();
    }

    /**
     * ResolveCustomer as the seller account {@code accountName} (null: the default one): it "must be called from the
     * account that was used to publish the SaaS application" (AWS Marketplace Metering Service API reference,
     * ResolveCustomer), so each account's listings are resolved with that account's region and credentials.
     */
    public Mono<ResolvedCustomer> resolveCustomer(String accountName, String registrationToken) {
        Map<String, Object> body = Map.of("RegistrationToken", registrationToken);
        AwsAccount account = props.account(accountName).orElseThrow(() ->
                new IllegalArgumentException("no AWS seller account " + accountName));
        return call(account, "ResolveCustomer", body).map(r -> new ResolvedCustomer(text(r, "CustomerIdentifier"),
                text(r, "CustomerAWSAccountId"), text(r, "ProductCode"), text(r, "LicenseArn")));
    }

    Mono<JsonNode> call(String operation, Map<String, Object> request) {
        return call(props.account(null).orElseThrow(), operation, request);
    }

    Mono<JsonNode> call(AwsAccount account, String operation, Map<String, Object> request) {
        if (!account.configured()) {
            return Mono.error(new IllegalStateException("the AWS seller account's access-key-id and secret-access-key "
                    + "are not set"));
        }
        byte[] payload = json.writeValueAsBytes(request);
        URI endpoint = account.meteringEndpoint();
        Instant now = clock.instant();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort());
        headers.put("content-type", "application/x-amz-json-1.1");
        headers.put("x-amz-date", SigV4.AMZ_DATE.format(now));
        headers.put("x-amz-target", "AWSMPMeteringService." + operation);
        if (account.sessionToken() != null) {
            headers.put("x-amz-security-token", account.sessionToken());
        }
        SigV4.Request signed = new SigV4.Request("POST", "/", "", headers, SigV4.sha256Hex(payload));
        String authorization = SigV4.authorization(signed, now, account.region(), "aws-marketplace",
                account.credentials());
        return web.post().uri(endpoint.resolve("/"))
                .headers(h -> {
                    headers.forEach((k, v) -> {
                        if (!k.equals("host")) {
                            h.set(k, v);
                        }
                    });
                    h.set("Authorization", authorization);
                })
                .bodyValue(payload)
                .exchangeToMono(response -> response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                        .map(bytes -> parse(response.statusCode(), bytes)))
                .timeout(props.timeout());
    }

    private JsonNode parse(HttpStatusCode status, byte[] bytes) {
        JsonNode body;
        try {
            body = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
        } catch (RuntimeException e) {
            throw new AwsServiceException("UnreadableResponse", status.value(),
                    new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8));
        }
        if (status.is2xxSuccessful()) {
            return body;
        }
        String type = text(body, "__type");
        type = type == null ? "HttpError" : type.substring(type.lastIndexOf('#') + 1);
        String message = text(body, "message");
        throw new AwsServiceException(type, status.value(), message == null ? text(body, "Message") : message);
    }

    private static String text(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() ? null : n.asString();
    }
}

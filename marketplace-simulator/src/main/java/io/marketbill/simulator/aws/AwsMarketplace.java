package io.marketbill.simulator.aws;

import io.marketbill.protocols.aws.CertificateAuthority;
import io.marketbill.protocols.aws.SigV4;
import io.marketbill.protocols.aws.SnsSignature;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * AWS Marketplace as documented (spec §2): issues registration tokens (valid 4 hours), serves
 * ResolveCustomer with the SigV4 signature checked, and sends SNS messages signed by its own CA, whose
 * certificate it serves. Everything it did is listed at {@code GET /sim/aws/calls}.
 */
@RestController
class AwsMarketplace {

    /** A buyer's subscription as AWS knows it. */
    record Customer(String token, String productCode, String accountId, String customerIdentifier, String licenseArn,
                    boolean trial, Instant tokenIssuedAt) {
    }

    private static final Duration TOKEN_VALIDITY = Duration.ofHours(4);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final CertificateAuthority ca = CertificateAuthority.create("marketplace-simulator SNS CA");
    private final CertificateAuthority.Issued signer = ca.issue("sns.simulator.local");
    private final Map<String, Customer> byToken = new ConcurrentHashMap<>();
    private final java.util.Set<String> unsubscribed = ConcurrentHashMap.newKeySet();
    private final AwsMeteringLedger meter;
    private final List<Map<String, Object>> calls = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Instant> confirmed = new ConcurrentHashMap<>();
    private final String region;
    private final String accessKeyId;
    private final String secret;
    private final String gatewayUrl;
    private final String topicArn;
    private final String publicUrl;

    AwsMarketplace(@Value("${simulator.aws.region}") String region,
                   @Value("${simulator.aws.access-key-id}") String accessKeyId,
                   @Value("${simulator.aws.secret-access-key}") String secret,
                   @Value("${simulator.aws.gateway-url}") String gatewayUrl,
                   @Value("${simulator.aws.topic-arn}") String topicArn,
                   @Value("${simulator.public-url}") String publicUrl,
                   @Value("${simulator.aws.metering-window:6h}") Duration meteringWindow) {
        this.meter = new AwsMeteringLedger(meteringWindow);
        this.region = region;
        this.accessKeyId = accessKeyId;
        this.secret = secret;
        this.gatewayUrl = gatewayUrl;
        this.topicArn = topicArn.split(",")[0].strip();
        this.publicUrl = publicUrl;
    }

    // ---- what a buyer does ----------------------------------------------------------------------------------

    /** Subscribes: {@code {"productCode","accountId","trial"}}; returns the registration token. */
    @PostMapping("/sim/aws/customers")
    Customer subscribe(@RequestBody Map<String, Object> body) {
        String account = String.valueOf(body.getOrDefault("accountId", "123456789012"));
        String token = "simtok-" + UUID.randomUUID();
        Customer c = new Customer(token, String.valueOf(body.get("productCode")), account,
                "CI" + Math.abs(token.hashCode()), "arn:aws-cn:license-manager::" + account + ":license:l-"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16),
                Boolean.parseBoolean(String.valueOf(body.getOrDefault("trial", false))), Instant.now());
        byToken.put(token, c);
        return c;
    }

    /** The browser's POST to the fulfillment URL after "Set up your account"; returns the gateway's answer. */
    @PostMapping("/sim/aws/customers/{token}/register")
    Map<String, Object> register(@PathVariable String token) throws Exception {
        Customer c = byToken.get(token);
        String form = "x-amzn-marketplace-token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                + (c != null && c.trial() ? "&x-amzn-marketplace-offer-type=free-trial" : "");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/marketplace/aws/register"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", r.statusCode());
        out.put("location", r.headers().firstValue("Location").orElse(null));
        return out;
    }

    /** Makes a token too old to use, as four hours would. */
    @PostMapping("/sim/aws/customers/{token}/expire-token")
    Customer expireToken(@PathVariable String token) {
        Customer c = byToken.get(token);
        Customer old = new Customer(c.token(), c.productCode(), c.accountId(), c.customerIdentifier(), c.licenseArn(),
                c.trial(), Instant.now().minus(TOKEN_VALIDITY).minusSeconds(1));
        byToken.put(token, old);
        return old;
    }

    /** Sends an SNS notification ({@code subscribe-success}, {@code unsubscribe-success}, ...) to the gateway. */
    @PostMapping("/sim/aws/customers/{token}/notify")
    Map<String, Object> notifyGateway(@PathVariable String token, @RequestParam String action,
                                      @RequestParam(required = false) String messageId) throws Exception {
        Customer c = byToken.get(token);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("action", action);
        message.put("customer-identifier", c.customerIdentifier());
        message.put("product-code", c.productCode());
        if (action.startsWith("subscribe")) {
            message.put("isFreeTrialTermPresent", String.valueOf(c.trial()));
        }
        Map<String, String> sns = new LinkedHashMap<>();
        sns.put("Type", "Notification");
        sns.put("MessageId", messageId == null ? UUID.randomUUID().toString() : messageId);
        sns.put("TopicArn", topicArn);
        sns.put("Message", json.writeValueAsString(message));
        sns.put("Timestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        return sendSns(sns);
    }

    /** Subscribes the gateway's endpoint to the topic: sends a SubscriptionConfirmation. */
    @PostMapping("/sim/aws/sns/subscribe-gateway")
    Map<String, Object> subscribeGateway() throws Exception {
        String confirmToken = UUID.randomUUID().toString();
        Map<String, String> sns = new LinkedHashMap<>();
        sns.put("Type", "SubscriptionConfirmation");
        sns.put("MessageId", UUID.randomUUID().toString());
        sns.put("Token", confirmToken);
        sns.put("TopicArn", topicArn);
        sns.put("Message", "You have chosen to subscribe to the topic " + topicArn);
        sns.put("SubscribeURL", publicUrl + "/sns/confirm?Token=" + confirmToken);
        sns.put("Timestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        Map<String, Object> out = sendSns(sns);
        out.put("confirmed", confirmed.containsKey(confirmToken));
        return out;
    }

    private Map<String, Object> sendSns(Map<String, String> sns) throws Exception {
        sns.put("SignatureVersion", "2");
        sns.put("SigningCertURL", publicUrl + "/sns/cert.pem");
        sns.put("Signature", SnsSignature.sign(sns, signer.privateKey()));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/marketplace/aws/sns"))
                .header("Content-Type", "text/plain; charset=UTF-8")
                .header("x-amz-sns-message-type", sns.get("Type"))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(sns))).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("messageId", sns.get("MessageId"));
        out.put("status", r.statusCode());
        out.put("body", r.body());
        record("SNS " + sns.get("Type"), out);
        return out;
    }

    // ---- what AWS serves ------------------------------------------------------------------------------------

    @GetMapping(path = "/sns/cert.pem", produces = "application/x-pem-file")
    String certificate() {
        return CertificateAuthority.pem(signer.certificate());
    }

    @GetMapping(path = "/sim/aws/ca.pem", produces = "application/x-pem-file")
    String caCertificate() {
        return CertificateAuthority.pem(ca.certificate());
    }

    @GetMapping("/sns/confirm")
    String confirm(@RequestParam("Token") String token) {
        confirmed.put(token, Instant.now());
        return "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>" + topicArn + ":"
                + token + "</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>";
    }

    /** The Metering Service (JSON 1.1): ResolveCustomer, with the caller's SigV4 signature checked. */
    @PostMapping(path = "/", consumes = "application/x-amz-json-1.1")
    ResponseEntity<String> metering(HttpServletRequest request, @RequestBody byte[] body) {
        String target = request.getHeader("X-Amz-Target");
        String problem = checkSignature(request, body);
        if (problem != null) {
            return error(403, "InvalidSignatureException", problem, target);
        }
        JsonNode in = json.readTree(body);
        if ("AWSMPMeteringService.ResolveCustomer".equals(target)) {
            Customer c = byToken.get(in.path("RegistrationToken").asString(""));
            if (c == null) {
                return error(400, "InvalidTokenException", "Registration token is invalid", target);
            }
            if (c.tokenIssuedAt().plus(TOKEN_VALIDITY).isBefore(Instant.now())) {
                return error(400, "ExpiredTokenException", "Registration token has expired", target);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("CustomerIdentifier", c.customerIdentifier());
            out.put("CustomerAWSAccountId", c.accountId());
            out.put("ProductCode", c.productCode());
            out.put("LicenseArn", c.licenseArn());
            record(target, out);
            return ResponseEntity.ok().contentType(MediaType.valueOf("application/x-amz-json-1.1"))
                    .body(json.writeValueAsString(out));
        }
        if ("AWSMPMeteringService.BatchMeterUsage".equals(target)) {
            AwsMeteringLedger.Outcome outcome = meter.batchMeterUsage(in, byToken.values(), unsubscribed, json);
            if (outcome.body() == null) {
                return error(400, outcome.errorType(), outcome.errorMessage(), target);
            }
            record(target, Map.of("records", in.path("UsageRecords").size()));
            return ResponseEntity.ok().contentType(MediaType.valueOf("application/x-amz-json-1.1"))
                    .body(json.writeValueAsString(outcome.body()));
        }
        if ("AWSMPEntitlementService.GetEntitlements".equals(target)) {
            String product = in.path("ProductCode").asString("");
            JsonNode filter = in.path("Filter");
            List<Map<String, Object>> entitlements = new ArrayList<>();
            for (Customer c : byToken.values()) {
                if (!c.productCode().equals(product) || unsubscribed.contains(c.licenseArn())
                        || !matches(filter, "CUSTOMER_AWS_ACCOUNT_ID", c.accountId())
                        || !matches(filter, "CUSTOMER_IDENTIFIER", c.customerIdentifier())
                        || !matches(filter, "LICENSE_ARN", c.licenseArn())) {
                    continue;
                }
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("ProductCode", c.productCode());
                e.put("Dimension", "pay_as_you_go");
                e.put("CustomerIdentifier", c.customerIdentifier());
                e.put("CustomerAWSAccountId", c.accountId());
                e.put("Value", Map.of("BooleanValue", true));
                entitlements.add(e);
            }
            record(target, Map.of("entitlements", entitlements.size()));
            return ResponseEntity.ok().contentType(MediaType.valueOf("application/x-amz-json-1.1"))
                    .body(json.writeValueAsString(Map.of("Entitlements", entitlements)));
        }
        return error(400, "UnknownOperationException", "not simulated: " + target, target);
    }

    private static boolean matches(JsonNode filter, String name, String value) {
        JsonNode values = filter.path(name);
        if (!values.isArray() || values.isEmpty()) {
            return true;
        }
        for (JsonNode v : values) {
            if (v.asString("").equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** The buyer cancels: metering for them is refused from now on (CustomerNotSubscribed). */
    @PostMapping("/sim/aws/customers/{token}/unsubscribe")
    Customer unsubscribe(@PathVariable String token) {
        Customer c = byToken.get(token);
        unsubscribed.add(c.licenseArn());
        return c;
    }

    @GetMapping("/sim/aws/metering")
    List<Map<String, Object>> metered() {
        return meter.accepted();
    }

    private String checkSignature(HttpServletRequest request, byte[] body) {
        // AWS allows 15 minutes between X-Amz-Date and its own clock (SigV4 documentation, "Signature expired")
        return SigV4.verify(request.getMethod(), request.getRequestURI(), "", request::getHeader, body, Instant.now(),
                Duration.ofMinutes(15), region, "aws-marketplace", accessKeyId, secret).orElse(null);
    }

    private ResponseEntity<String> error(int status, String type, String message, String target) {
        record(target + " -> " + type, Map.of("message", message));
        return ResponseEntity.status(status).contentType(MediaType.valueOf("application/x-amz-json-1.1"))
                .body("{\"__type\":\"com.amazonaws.marketplace#" + type + "\",\"message\":\"" + message + "\"}");
    }

    private void record(String what, Map<String, ?> details) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("at", Instant.now().toString());
        c.put("what", what);
        c.put("details", details);
        calls.add(c);
    }

    @GetMapping("/sim/aws/calls")
    List<Map<String, Object>> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }
}

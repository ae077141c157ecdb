package io.marketbill.simulator.aws;

import io.marketbill.protocols.aws.CertificateAuthority;
import io.marketbill.protocols.aws.SigV4;
import io.marketbill.protocols.aws.SnsSignature;
import io.marketbill.simulator.faults.FaultKind;
import io.marketbill.simulator.faults.Faults;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
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

    /**
     * A buyer's subscription as AWS knows it. {@code customerIdentifier} is null for a customer of a new integration
     * (Concurrent Agreements: "CustomerIdentifier is not populated" in ResolveCustomer for new integrations, [MM-NEW]).
     * {@code licenseStart}/{@code licenseEnd} bound the license's activation period (null: open).
     */
    record Customer(String token, String productCode, String accountId, String customerIdentifier, String licenseArn,
                    boolean trial, Instant tokenIssuedAt, boolean newIntegration, Instant licenseStart,
                    Instant licenseEnd, String agreementId) {

        Customer withTokenIssuedAt(Instant at) {
            return new Customer(token, productCode, accountId, customerIdentifier, licenseArn, trial, at, newIntegration,
                    licenseStart, licenseEnd, agreementId);
        }

        Customer withLicensePeriod(Instant start, Instant end) {
            return new Customer(token, productCode, accountId, customerIdentifier, licenseArn, trial, tokenIssuedAt,
                    newIntegration, start, end, agreementId);
        }
    }

    /** A listing's metering dimensions, as {@code PUT /sim/aws/listings/{productCode}} takes them. */
    record Listing(List<String> dimensions) {
    }

    /** The time-window setting, as {@code PUT /sim/aws/metering/window} takes and gives it. */
    record Window(MeteringWindow profile, Duration futureTolerance) {
    }

    private static final Duration TOKEN_VALIDITY = Duration.ofHours(4);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final CertificateAuthority ca = CertificateAuthority.create("marketplace-simulator SNS CA");
    private final CertificateAuthority.Issued signer = ca.issue("sns.simulator.local");
    private final Map<String, Customer> byToken = new ConcurrentHashMap<>();
    private final Set<String> unsubscribed = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> unsubscribePending = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> listings = new ConcurrentHashMap<>();
    private final AwsMeteringLedger meter = new AwsMeteringLedger();
    private final Faults faults;
    private final AwsMeteringProperties properties;
    private final EventBridgeProperties eventBridge;
    private final Duration fixedWindow;
    private volatile MeteringWindow window;
    private volatile Duration futureTolerance;
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
                   // the old fixed window; when set it replaces the profile's
                   @Value("${simulator.aws.metering-window:#{null}}") Duration meteringWindow,
                   AwsMeteringProperties properties, EventBridgeProperties eventBridge, Faults faults) {
        this.fixedWindow = meteringWindow;
        this.properties = properties;
        this.eventBridge = eventBridge;
        this.faults = faults;
        this.window = properties.window() != null ? properties.window() : MeteringWindow.forRegion(region);
        this.futureTolerance = properties.futureTolerance();
        properties.listings().forEach((product, l) -> listings.put(product, Set.copyOf(l.dimensions())));
        this.region = region;
        this.accessKeyId = accessKeyId;
        this.secret = secret;
        this.gatewayUrl = gatewayUrl;
        this.topicArn = topicArn.split(",")[0].strip();
        this.publicUrl = publicUrl;
    }

    // ---- what a buyer does ----------------------------------------------------------------------------------

    /**
     * Subscribes: {@code {"productCode","accountId","trial","integration","licenseStart","licenseEnd"}}; returns the
     * customer with its registration token. {@code "integration":"new"} makes a customer of a new (Concurrent
     * Agreements) integration, without CustomerIdentifier; the default is an existing integration, which has one.
     * The license is active from {@code licenseStart} to {@code licenseEnd} (ISO-8601; default: without bounds).
     */
    @PostMapping("/sim/aws/customers")
    Customer subscribe(@RequestBody Map<String, Object> body) {
        String account = String.valueOf(body.getOrDefault("accountId", "123456789012"));
        String token = "simtok-" + UUID.randomUUID();
        boolean newIntegration = "new".equalsIgnoreCase(String.valueOf(body.getOrDefault("integration", "existing")));
        String partition = region.startsWith("cn-") ? "aws-cn" : "aws";
        Customer c = new Customer(token, String.valueOf(body.get("productCode")), account,
                newIntegration ? null : "CI" + Math.abs(token.hashCode()), "arn:" + partition + ":license-manager::"
                + account + ":license:l-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16),
                Boolean.parseBoolean(String.valueOf(body.getOrDefault("trial", false))), Instant.now(), newIntegration,
                instant(body.get("licenseStart")), instant(body.get("licenseEnd")),
                "agmt-" + UUID.randomUUID().toString().replace("-", "").substring(0, 25));
        byToken.put(token, c);
        return c;
    }

    private static Instant instant(Object value) {
        return value == null || String.valueOf(value).isBlank() ? null : Instant.parse(String.valueOf(value));
    }

    /** Sets the license's activation period: {@code {"start","end"}} (ISO-8601, either may be null: open). */
    @PostMapping("/sim/aws/customers/{token}/license")
    Customer licensePeriod(@PathVariable String token, @RequestBody Map<String, Object> body) {
        return byToken.computeIfPresent(token, (k, c) -> c.withLicensePeriod(instant(body.get("start")),
                instant(body.get("end"))));
    }

    /** Gives a product's listing its metering dimensions: usage of another dimension is refused. */
    @PutMapping("/sim/aws/listings/{productCode}")
    Map<String, Set<String>> listing(@PathVariable String productCode, @RequestBody Listing listing) {
        listings.put(productCode, Set.copyOf(listing.dimensions()));
        return Map.of(productCode, listings.get(productCode));
    }

    @GetMapping("/sim/aws/listings")
    Map<String, Set<String>> listings() {
        return Map.copyOf(listings);
    }

    /** Switches BatchMeterUsage's time-window profile ({@code GLOBAL}, {@code CHINA_1H}, {@code LEGACY_6H}). */
    @PutMapping("/sim/aws/metering/window")
    Window window(@RequestBody Window w) {
        if (w.profile() != null) {
            window = w.profile();
        }
        if (w.futureTolerance() != null) {
            futureTolerance = w.futureTolerance();
        }
        return window();
    }

    @GetMapping("/sim/aws/metering/window")
    Window window() {
        return new Window(window, futureTolerance);
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
        return byToken.computeIfPresent(token, (k, c) -> c.withTokenIssuedAt(Instant.now().minus(TOKEN_VALIDITY)
                .minusSeconds(1)));
    }

    /**
     * Sends an SNS notification ({@code subscribe-success}, {@code unsubscribe-pending}, {@code unsubscribe-success},
     * ...) to the gateway, and moves the subscription along the documented timeline (SaaS subscription integration,
     * https://docs.aws.amazon.com/marketplace/latest/userguide/saas-integrate-subscription.html): after
     * {@code unsubscribe-pending} "you will have one hour to meter any remaining usage" (metering is still accepted
     * for {@code simulator.aws.metering.unsubscribe-grace}); after {@code unsubscribe-success} "you can no longer send
     * metering records for this customer" (CustomerNotSubscribed). {@code subscribe-success} makes it active again.
     * The state changes whether or not the gateway takes the message.
     */
    @PostMapping("/sim/aws/customers/{token}/notify")
    Map<String, Object> notifyGateway(@PathVariable String token, @RequestParam String action,
                                      @RequestParam(required = false) String messageId) throws Exception {
        Customer c = byToken.get(token);
        switch (action) {
            case "unsubscribe-pending" -> unsubscribePending.putIfAbsent(c.licenseArn(), Instant.now());
            case "unsubscribe-success" -> unsubscribed.add(c.licenseArn());
            case "subscribe-success" -> {
                unsubscribePending.remove(c.licenseArn());
                unsubscribed.remove(c.licenseArn());
            }
            default -> { }
        }
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
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("messageId", sns.get("MessageId"));
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/marketplace/aws/sns"))
                    .header("Content-Type", "text/plain; charset=UTF-8")
                    .header("x-amz-sns-message-type", sns.get("Type"))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(sns))).build(),
                    HttpResponse.BodyHandlers.ofString());
            out.put("status", r.statusCode());
            out.put("body", r.body());
        } catch (java.io.IOException e) {
            // SNS retries on its own; the simulator reports the failed delivery and moves on
            out.put("status", null);
            out.put("error", e.getClass().getSimpleName());
        }
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

    private static final MediaType JSON_1_1 = MediaType.valueOf("application/x-amz-json-1.1");
    private static final Set<FaultKind> AWS_FAULTS = Set.of(FaultKind.THROTTLING, FaultKind.SERVER_ERROR,
            FaultKind.TIMEOUT, FaultKind.UNPROCESSED, FaultKind.LOST_ANSWER);

    /**
     * The Metering Service (JSON 1.1, https://metering.marketplace.&lt;region&gt;.amazonaws.com[.cn]/): ResolveCustomer and
     * BatchMeterUsage, with the caller's SigV4 signature checked. GetEntitlements belongs to the Entitlement Service
     * and is served on its own endpoint (see {@link #entitlementService}): here, as on AWS, it is an unknown operation,
     * unless the call names the entitlement host.
     */
    @PostMapping(path = "/", consumes = "application/x-amz-json-1.1")
    ResponseEntity<String> metering(HttpServletRequest request, HttpServletResponse response, @RequestBody byte[] body) {
        String target = request.getHeader("X-Amz-Target");
        String host = String.valueOf(request.getHeader("Host"));
        // [ENT] endpoints: entitlement.marketplace.<region>.amazonaws.com, China entitlement-marketplace.cn-northwest-1...
        if (host.startsWith("entitlement.marketplace.") || host.startsWith("entitlement-marketplace.")) {
            return entitlementService(request, body);
        }
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
            // [MM-NEW] ResolveCustomerResult: "CustomerIdentifier ... is not populated for new integrations"
            if (c.customerIdentifier() != null) {
                out.put("CustomerIdentifier", c.customerIdentifier());
            }
            out.put("CustomerAWSAccountId", c.accountId());
            out.put("ProductCode", c.productCode());
            out.put("LicenseArn", c.licenseArn());
            record(target, out);
            return ResponseEntity.ok().contentType(JSON_1_1).body(json.writeValueAsString(out));
        }
        if ("AWSMPMeteringService.BatchMeterUsage".equals(target)) {
            return batchMeterUsage(in, response, target);
        }
        return error(400, "UnknownOperationException", "not simulated here: " + target, target);
    }

    private ResponseEntity<String> batchMeterUsage(JsonNode in, HttpServletResponse response, String target) {
        Optional<Faults.Fired> fault = faults.next("aws", AWS_FAULTS);
        Random unprocessed = null;
        if (fault.isPresent()) {
            Faults.Fired f = fault.get();
            record(target + " fault " + f.kind(), Map.of("rule", f.ruleId()));
            switch (f.kind()) {
                // [MM-NEW] ThrottlingException: "The calls to the API are throttled"
                case THROTTLING -> {
                    return error(400, "ThrottlingException", "Rate exceeded (fault injection)", target);
                }
                // [MM-NEW] InternalServiceErrorException: "An internal error has occurred. Retry your request"
                case SERVER_ERROR -> {
                    return error(500, "InternalServiceErrorException", "internal error (fault injection)", target);
                }
                case TIMEOUT -> Faults.sleep(f.delay());
                case UNPROCESSED -> unprocessed = f.random();
                default -> { }
            }
        }
        AwsMeteringLedger.Outcome outcome = meter.batchMeterUsage(in, directory, Instant.now(), window, fixedWindow,
                futureTolerance, faults, unprocessed, json);
        if (outcome.body() == null) {
            return error(400, outcome.errorType(), outcome.errorMessage(), target);
        }
        record(target, Map.of("records", in.path("UsageRecords").size()));
        if (fault.isPresent() && fault.get().kind() == FaultKind.LOST_ANSWER) {
            Faults.cutOff(response, JSON_1_1.toString());
            return null;
        }
        return ResponseEntity.ok().contentType(JSON_1_1).body(json.writeValueAsString(outcome.body()));
    }

    private final AwsMeteringLedger.Directory directory = new AwsMeteringLedger.Directory() {
        @Override
        public Optional<Customer> byLicense(String licenseArn) {
            return byToken.values().stream().filter(c -> c.licenseArn().equals(licenseArn)).findFirst();
        }

        @Override
        public Optional<Customer> byIdentifier(String customerIdentifier) {
            return byToken.values().stream().filter(c -> customerIdentifier.equals(c.customerIdentifier())).findFirst();
        }

        @Override
        public List<Customer> byAccount(String productCode, String accountId) {
            List<Customer> all = byToken.values().stream().filter(c -> c.accountId().equals(accountId)
                    && (productCode.isEmpty() || c.productCode().equals(productCode))).toList();
            List<Customer> active = all.stream().filter(c -> subscribed(c, Instant.now())).toList();
            return active.isEmpty() ? all : active;
        }

        @Override
        public boolean subscribed(Customer c, Instant now) {
            Instant pending = unsubscribePending.get(c.licenseArn());
            return !unsubscribed.contains(c.licenseArn())
                    && (pending == null || now.isBefore(pending.plus(properties.unsubscribeGrace())));
        }

        @Override
        public Optional<Set<String>> dimensions(String productCode) {
            return Optional.ofNullable(listings.get(productCode));
        }
    };

    /**
     * The Entitlement Service's GetEntitlements ([ENT], marketplace-entitlement-service.json in
     * https://github.com/aws/aws-sdk-js-v3/tree/main/codegen/sdk-codegen/aws-models), on its own endpoint: the path
     * {@code /entitlement} here (point an SDK's endpointOverride at {@code <simulator>/entitlement}), or {@code /} with
     * the entitlement host. Filters: only {@code CUSTOMER_IDENTIFIER}, {@code CUSTOMER_AWS_ACCOUNT_ID} and
     * {@code DIMENSION} exist, and the first two exclude each other; anything else is an
     * {@code InvalidParameterException}.
     */
    @PostMapping(path = {"/entitlement", "/entitlement/"}, consumes = "application/x-amz-json-1.1")
    ResponseEntity<String> entitlementService(HttpServletRequest request, @RequestBody byte[] body) {
        String target = request.getHeader("X-Amz-Target");
        String problem = checkSignature(request, body);
        if (problem != null) {
            return error(403, "InvalidSignatureException", problem, target);
        }
        if (!"AWSMPEntitlementService.GetEntitlements".equals(target)) {
            return error(400, "UnknownOperationException", "not simulated here: " + target, target);
        }
        JsonNode in = json.readTree(body);
        String product = in.path("ProductCode").asString("");
        JsonNode filter = in.path("Filter");
        for (String name : filter.propertyNames()) {
            if (!Set.of("CUSTOMER_IDENTIFIER", "CUSTOMER_AWS_ACCOUNT_ID", "DIMENSION").contains(name)) {
                return error(400, "InvalidParameterException", "unknown filter " + name, target);
            }
        }
        if (filter.has("CUSTOMER_IDENTIFIER") && filter.has("CUSTOMER_AWS_ACCOUNT_ID")) {
            return error(400, "InvalidParameterException",
                    "CUSTOMER_IDENTIFIER and CUSTOMER_AWS_ACCOUNT_ID are mutually exclusive", target);
        }
        List<Map<String, Object>> entitlements = new ArrayList<>();
        for (Customer c : byToken.values()) {
            if (!c.productCode().equals(product) || !directory.subscribed(c, Instant.now())
                    || !matches(filter, "CUSTOMER_AWS_ACCOUNT_ID", c.accountId())
                    || !matches(filter, "CUSTOMER_IDENTIFIER", c.customerIdentifier())
                    || !matches(filter, "DIMENSION", "pay_as_you_go")) {
                continue;
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("ProductCode", c.productCode());
            e.put("Dimension", "pay_as_you_go");
            if (c.customerIdentifier() != null) {
                e.put("CustomerIdentifier", c.customerIdentifier());
            }
            e.put("CustomerAWSAccountId", c.accountId());
            e.put("Value", Map.of("BooleanValue", true));
            entitlements.add(e);
        }
        record(target, Map.of("entitlements", entitlements.size()));
        return ResponseEntity.ok().contentType(JSON_1_1).body(json.writeValueAsString(Map.of("Entitlements", entitlements)));
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

    // ---- EventBridge ----------------------------------------------------------------------------------------

    /**
     * Sends an EventBridge event of the customer's agreement or license to {@code simulator.aws.eventbridge.url}, with
     * the API-destination key header, as an EventBridge API destination does. {@code type}: {@code license-updated},
     * {@code license-deprovisioned}, {@code agreement-created}, {@code agreement-ended} (with {@code status}, default
     * CANCELLED), {@code role}: {@code Manufacturer} (default) or {@code Proposer}. Bodies per {@link EventBridgeEvents}.
     */
    @PostMapping("/sim/aws/customers/{token}/eventbridge")
    Map<String, Object> eventBridge(@PathVariable String token, @RequestParam String type,
                                    @RequestParam(required = false) String status,
                                    @RequestParam(required = false) String role,
                                    @RequestParam(required = false) String id) {
        Customer c = byToken.get(token);
        Map<String, Object> event = EventBridgeEvents.of(type, c, status, role == null ? "Manufacturer" : role,
                id == null ? UUID.randomUUID().toString() : id, Instant.now());
        String url = eventBridge.url() != null && !eventBridge.url().isBlank() ? eventBridge.url()
                : gatewayUrl + "/marketplace/aws/events";
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("event", event);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json").header(eventBridge.headerName(), eventBridge.secret())
                    .timeout(Duration.ofSeconds(5)) // an API destination gives up after 5 s (EventBridge documentation)
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(event))).build(),
                    HttpResponse.BodyHandlers.ofString());
            out.put("status", r.statusCode());
            out.put("body", r.body());
        } catch (java.io.IOException | InterruptedException e) {
            out.put("status", null);
            out.put("error", e.getClass().getSimpleName());
        }
        record("EventBridge " + event.get("detail-type"), out);
        return out;
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

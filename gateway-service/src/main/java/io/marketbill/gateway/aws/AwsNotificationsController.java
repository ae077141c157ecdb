package io.marketbill.gateway.aws;

import io.marketbill.gateway.protection.LogText;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventIds;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.gateway.products.ProductCatalog;
import io.marketbill.gateway.protection.CallbackRejection;
import io.marketbill.gateway.publishing.LifecycleEventPublisher;
import io.marketbill.gateway.subscriptions.SubscriptionServiceClient;
import io.marketbill.protocols.aws.SnsSignature;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * AWS notifications: {@code POST /marketplace/aws/sns} (the SNS HTTPS subscription, spec §2.3-2.4) and
 * {@code POST /marketplace/aws/events} (an EventBridge API destination). Each accepted message becomes at most one
 * lifecycle event, its id derived from the message id, so a redelivery has no second effect; a message about a
 * subscription not registered yet becomes none (the registration opens it).
 */
@RestController
class AwsNotificationsController {

    private static final Logger log = LoggerFactory.getLogger(AwsNotificationsController.class);

    private final AwsProperties props;
    private final SnsCertificates certificates;
    private final SubscriptionServiceClient subscriptions;
    private final ProductCatalog products;
    private final LifecycleEventPublisher publisher;
    private final MeterRegistry meters;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();
    private final WebClient web = WebClient.builder().build();

    AwsNotificationsController(AwsProperties props, SnsCertificates certificates, SubscriptionServiceClient subscriptions,
                               ProductCatalog products, LifecycleEventPublisher publisher, MeterRegistry meters,
                               Clock clock) {
        this.props = props;
        this.certificates = certificates;
        this.subscriptions = subscriptions;
        this.products = products;
        this.publisher = publisher;
        this.meters = meters;
        this.clock = clock;
    }

    // ---- SNS --------------------------------------------------------------------------------------------

    @PostMapping(path = "/marketplace/aws/sns", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Map<String, Object>>> sns(@RequestBody(required = false) String body) {
        return Mono.defer(() -> {
            Map<String, String> message = strings(parse(body));
            String type = message.getOrDefault("Type", "");
            if (!type.equals("Notification") && !type.equals("SubscriptionConfirmation")
                    && !type.equals("UnsubscribeConfirmation")) {
                throw new CallbackRejection(HttpStatus.BAD_REQUEST, "unknown_type", "unknown SNS message type '" + type + "'");
            }
            String topic = message.get("TopicArn");
            if (topic == null || !props.sns().topicArns().contains(topic)) {
                throw new CallbackRejection(HttpStatus.FORBIDDEN, "unknown_topic", "topic " + topic + " is not configured");
            }
            return certificates.forUrl(message.get("SigningCertURL"))
                    .onErrorMap(SnsCertificates.Untrusted.class, e -> new CallbackRejection(HttpStatus.FORBIDDEN, e.reason,
                            e.getMessage()))
                    .onErrorMap(e -> !(e instanceof CallbackRejection), e -> unavailable("certificate_unavailable",
                            "the signing certificate could not be fetched; SNS delivers again", e))
                    .flatMap(cert -> {
                        if (!SnsSignature.verify(message, cert)) {
                            return Mono.error(new CallbackRejection(HttpStatus.FORBIDDEN, "invalid_signature",
                                    "SNS signature does not verify"));
                        }
                        return switch (type) {
                            case "SubscriptionConfirmation" -> confirm(message);
                            case "UnsubscribeConfirmation" -> Mono.just(ok("sns", "unsubscribe-confirmation", "ignored"));
                            default -> notification(message);
                        };
                    });
        }).onErrorResume(CallbackRejection.class, r -> refused("aws", r));
    }

    /**
     * A refusal that makes the caller retry, with a fixed message: what went wrong inside (an address, an I/O error)
     * is logged, never answered to an unauthenticated caller (security review, finding 15).
     */
    private static CallbackRejection unavailable(String reason, String message, Throwable cause) {
        log.warn("AWS sns: {}: {}", reason, cause.toString());
        return new CallbackRejection(HttpStatus.SERVICE_UNAVAILABLE, reason, message);
    }

    private Mono<ResponseEntity<Map<String, Object>>> confirm(Map<String, String> message) {
        URI subscribe = URI.create(message.getOrDefault("SubscribeURL", ""));
        boolean awsHost = "https".equals(subscribe.getScheme()) && subscribe.getHost() != null
                && SnsSignature.AWS_CERT_HOST.matcher(subscribe.getHost()).matches();
        boolean testHost = props.sns().testCaPem() != null && subscribe.getHost() != null
                && props.sns().testCertHosts().contains(subscribe.getHost() + ":" + subscribe.getPort());
        if (!awsHost && !testHost) {
            return Mono.error(new CallbackRejection(HttpStatus.FORBIDDEN, "subscribe_url_host",
                    "SubscribeURL outside AWS: " + subscribe.getHost()));
        }
        return web.get().uri(subscribe).retrieve().toBodilessEntity().timeout(Duration.ofSeconds(10))
                .map(r -> ok("sns", "subscription-confirmation", "confirmed"))
                .onErrorMap(e -> {
                    log.warn("AWS sns: confirming the subscription failed: {}", e.toString());
                    return new CallbackRejection(HttpStatus.BAD_GATEWAY, "confirmation_failed",
                            "confirming the subscription failed");
                });
    }

    private Mono<ResponseEntity<Map<String, Object>>> notification(Map<String, String> sns) {
        JsonNode m = parse(sns.get("Message"));
        String action = first(m, "action");
        String customer = first(m, "customer-identifier", "CustomerIdentifier");
        String product = first(m, "product-code", "ProductCode");
        if (action == null || customer == null || product == null) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_message", "message lacks action, customer or product");
        }
        if (products.find(product).isEmpty()) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "unknown_product", "product " + product + " is not configured");
        }
        EventPayload payload = switch (action) {
            case "subscribe-success" -> new SubscriptionChanged("SUBSCRIBE_CONFIRMED", null, null, null, Map.of());
            case "subscribe-fail" -> new SubscriptionClosed(false, null, "SUBSCRIBE_FAILED");
            case "unsubscribe-pending" -> new SubscriptionChanged("UNSUBSCRIBE_PENDING", null, null, null, Map.of());
            case "unsubscribe-success" -> new SubscriptionClosed(false, null, "UNSUBSCRIBED");
            case "entitlement-updated" -> new SubscriptionChanged("ENTITLEMENT_UPDATED", null, null, null, Map.of());
            default -> throw new CallbackRejection(HttpStatus.BAD_REQUEST, "unknown_action",
                    "unknown action '" + action + "'");
        };
        String messageId = sns.get("MessageId");
        return subscriptions.find("customerIdentifier", customer, product)
                .onErrorMap(e -> unavailable("lookup_unavailable", "the subscription could not be looked up; SNS "
                        + "delivers again", e))
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        // The notification and the buyer's registration travel apart and nothing orders them. Only
                        // the registration knows the account and license our id is made of (ResolveCustomer), so it
                        // alone opens the subscription, with this customer identifier in it; a subscription opened
                        // here would be a second one for the same purchase.
                        log.info("AWS sns {} (message {}) for no registered subscription: acknowledged, nothing "
                                + "published", action, messageId);
                        return Mono.just(ok("sns", action, "not_registered"));
                    }
                    return publish("sns", action, EventIds.fromNaturalKey("aws", "sns", messageId), found.get(),
                            payload, null);
                });
    }

    // ---- EventBridge --------------------------------------------------------------------------------------

    /** AgreementViewSummary.agreementId (AgreementEnd's second source). */
    private static final Pattern AGREEMENT_ID = Pattern.compile("[A-Za-z0-9_/-]{1,64}");

    /**
     * The event bodies are those of https://docs.aws.amazon.com/marketplace/latest/userguide/notifications-eventbridge.html
     * ("Events for agreements", "Events for licenses"). Only the License events name the license (with the product);
     * the agreement events name only the agreement, so the License events record which license each agreement bought.
     * EventBridge marketplace events exist only in us-east-1: AWS China listings rely on SNS alone.
     */
    @PostMapping(path = "/marketplace/aws/events", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Map<String, Object>>> events(@RequestHeader Map<String, String> headers,
                                                     @RequestBody(required = false) String body) {
        Duration deadline = props.eventbridge().publishTimeout();
        return Mono.defer(() -> {
            String expected = props.eventbridge().secret();
            String given = headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(props.eventbridge().headerName()))
                    .map(Map.Entry::getValue).findFirst().orElse("");
            if (expected == null || expected.isBlank() || !MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
                throw new CallbackRejection(HttpStatus.UNAUTHORIZED, "invalid_api_key", "missing or wrong API destination key");
            }
            JsonNode event = parse(body);
            if (!"aws.agreement-marketplace".equals(first(event, "source"))) {
                throw new CallbackRejection(HttpStatus.BAD_REQUEST, "unknown_source", "source must be aws.agreement-marketplace");
            }
            String id = first(event, "id");
            String detailType = first(event, "detail-type");
            JsonNode detail = event.get("detail");
            if (id == null || detailType == null || detail == null || !detail.isObject()) {
                throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_event", "event lacks id, detail-type or detail");
            }
            String product = path(detail, "product", "code");
            if (product != null && products.find(product).isEmpty()) {
                throw new CallbackRejection(HttpStatus.BAD_REQUEST, "unknown_product", "product " + product + " is not configured");
            }
            UUID eventId = EventIds.fromNaturalKey("aws", "eventbridge", id);
            String action = detailType.replaceAll(" - (Manufacturer|Proposer)$", "");
            return switch (action) {
                case "License Updated" -> license(action, eventId, detail,
                        new SubscriptionChanged("ENTITLEMENT_UPDATED", null, null, null, Map.of()), deadline);
                case "License Deprovisioned" -> license(action, eventId, detail,
                        new SubscriptionClosed(false, null, "LICENSE_DEPROVISIONED"), deadline);
                case "Purchase Agreement Ended" -> agreementEnded(action, eventId, detail, deadline);
                // the registration opens the subscription; these only inform
                default -> Mono.just(ok("eventbridge", action, "ignored"));
            };
        })
                // EventBridge gives up on an API destination after 5 s and sends again: a 503 before then is the
                // same retry, without the broken connection (https://repost.aws/knowledge-center/eventbridge-api-destination-target-failure)
                .timeout(deadline, Mono.error(() -> new CallbackRejection(HttpStatus.SERVICE_UNAVAILABLE, "timeout",
                        "could not answer within " + deadline + "; retry")))
                .onErrorResume(CallbackRejection.class, r -> refused("aws", r));
    }

    /**
     * A License event. It records which license its agreement bought, whether or not the buyer registered yet, and
     * acts only on a registered subscription: the License event usually comes before the registration (and for
     * buyers who never register), and the registration opens the subscription as it is then. Publishing for a
     * subscription not opened would only make a dead letter.
     */
    private Mono<ResponseEntity<Map<String, Object>>> license(String action, UUID eventId, JsonNode detail,
                                                             EventPayload payload, Duration deadline) {
        String arn = path(detail, "license", "arn");
        String account = path(detail, "acceptor", "accountId");
        String agreementId = path(detail, "agreement", "id");
        if (arn == null || account == null) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_event",
                    "license event lacks license.arn or acceptor.accountId");
        }
        if (agreementId != null && !AGREEMENT_ID.matcher(agreementId).matches()) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_event", "agreement.id is not an agreement id");
        }
        // the documented example gives the ARN without its leading "arn:", ResolveCustomer with it
        String normalised = arn.startsWith("arn:") ? arn : "arn:" + arn;
        String subscriptionId;
        try {
            subscriptionId = SubscriptionIds.aws(account, normalised);
        } catch (IllegalArgumentException e) {
            // a 4xx other than 429 is not retried by EventBridge: a malformed event must not be retried for 24 h
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_license_arn", e.getMessage());
        }
        Mono<Boolean> registered = agreementId == null ? subscriptions.exists(subscriptionId)
                : subscriptions.recordAgreement(agreementId, subscriptionId, normalised)
                        .map(SubscriptionServiceClient.Agreement::registered);
        return registered
                .onErrorMap(e -> new CallbackRejection(HttpStatus.SERVICE_UNAVAILABLE, "lookup_unavailable",
                        "subscription-service did not answer"))
                .flatMap(yes -> yes ? publish("eventbridge", action, eventId, subscriptionId, payload, deadline)
                        : Mono.just(notRegistered(action, subscriptionId)));
    }

    /** "Purchase Agreement Ended": found by its agreement id, as recorded from the License events. */
    private Mono<ResponseEntity<Map<String, Object>>> agreementEnded(String action, UUID eventId, JsonNode detail,
                                                                    Duration deadline) {
        String agreementId = path(detail, "agreement", "id");
        String status = path(detail, "agreement", "status");
        if (agreementId == null || status == null || !AGREEMENT_ID.matcher(agreementId).matches()) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "invalid_event",
                    "agreement event lacks agreement.id or agreement.status");
        }
        if (!AgreementEnd.endsSubscription(status)) {
            log.info("AWS eventbridge {} with status {}: the agreement goes on as another, nothing published",
                    action, status);
            return Mono.just(ok("eventbridge", action, "ignored"));
        }
        return subscriptions.agreement(agreementId)
                .onErrorMap(e -> new CallbackRejection(HttpStatus.SERVICE_UNAVAILABLE, "lookup_unavailable",
                        "subscription-service did not answer"))
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        // no License event named it (yet): License Deprovisioned, which names the license, closes
                        // the subscription then
                        log.info("AWS eventbridge {} for unknown agreement {}: acknowledged, nothing published",
                                action, agreementId);
                        return Mono.just(ok("eventbridge", action, "unknown_agreement"));
                    }
                    if (!found.get().registered()) {
                        return Mono.just(notRegistered(action, found.get().subscriptionId()));
                    }
                    return publish("eventbridge", action, eventId, found.get().subscriptionId(),
                            new SubscriptionClosed(false, null, "AGREEMENT_ENDED"), deadline);
                });
    }

    private ResponseEntity<Map<String, Object>> notRegistered(String action, String subscriptionId) {
        MDC.put("subscriptionId", subscriptionId);
        try {
            log.info("AWS eventbridge {} for a subscription not registered yet: acknowledged, nothing published", action);
        } finally {
            MDC.remove("subscriptionId");
        }
        return ok("eventbridge", action, "not_registered");
    }

    // ---- shared -------------------------------------------------------------------------------------------

    /** @param timeout null: the publisher's default */
    private Mono<ResponseEntity<Map<String, Object>>> publish(String channel, String action, UUID eventId,
                                                             String subscriptionId, EventPayload payload,
                                                             Duration timeout) {
        EventEnvelope event = EventEnvelope.of(eventId, clock.instant(), "gateway-service", subscriptionId, payload);
        return (timeout == null ? publisher.publish(event) : publisher.publish(event, timeout))
                .onErrorMap(e -> new CallbackRejection(HttpStatus.SERVICE_UNAVAILABLE, "not_durable",
                        "the event could not be made durable; retry"))
                .then(Mono.fromSupplier(() -> {
                    MDC.put("subscriptionId", subscriptionId);
                    try {
                        log.info("AWS {} {} accepted as {}", channel, action, event.type());
                    } finally {
                        MDC.remove("subscriptionId");
                    }
                    return ok(channel, action, "accepted");
                }));
    }

    private ResponseEntity<Map<String, Object>> ok(String channel, String action, String outcome) {
        Counter.builder("marketbill.callbacks").tag("marketplace", "aws").tag("action", channel + ":" + action)
                .tag("outcome", outcome).register(meters).increment();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("outcome", outcome);
        return ResponseEntity.ok(body);
    }

    private Mono<ResponseEntity<Map<String, Object>>> refused(String marketplace, CallbackRejection r) {
        log.warn("refused AWS notification: {} ({})", r.reason(), LogText.printable(r.getMessage()));
        return Mono.just(r.respond(meters, marketplace));
    }

    private JsonNode parse(String body) {
        try {
            JsonNode n = json.readTree(body == null ? "" : body);
            if (n == null || !n.isObject()) {
                throw new CallbackRejection(HttpStatus.BAD_REQUEST, "malformed", "not a JSON object");
            }
            return n;
        } catch (JacksonException e) {
            throw new CallbackRejection(HttpStatus.BAD_REQUEST, "malformed", "not JSON");
        }
    }

    /** Top-level string fields, as the JSON decoded them (SNS signs those exact strings). */
    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        n.properties().forEach(e -> {
            if (e.getValue().isString()) {
                m.put(e.getKey(), e.getValue().asString());
            }
        });
        return m;
    }

    /**
     * A field of a marketplace message, without surrounding white space: the Seller Guide prints the SaaS messages
     * with {@code "customer-identifier": " X01EXAMPLEX"} (saas-notification.html), and no identifier, code or action
     * has meaningful white space at its ends.
     */
    private static String first(JsonNode n, String... names) {
        for (String name : names) {
            JsonNode v = n.get(name);
            if (v != null && !v.isNull()) {
                return v.asString().strip();
            }
        }
        return null;
    }

    private static String path(JsonNode n, String a, String b) {
        JsonNode x = n.get(a);
        return x == null ? null : first(x, b);
    }

}

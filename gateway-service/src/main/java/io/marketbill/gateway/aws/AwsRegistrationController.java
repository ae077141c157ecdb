package io.marketbill.gateway.aws;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventIds;
import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.gateway.login.BrowserErrorPage;
import io.marketbill.gateway.login.BindingLinks;
import io.marketbill.gateway.products.ProductCatalog;
import io.marketbill.gateway.publishing.LifecycleEventPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code POST /marketplace/aws/register}: the fulfillment URL (spec §2.1) of the default seller account's listings, and
 * {@code POST /marketplace/aws/register/{account}} that of another account's (AWS China beside AWS global: the token
 * can only be resolved by the account that published the listing). The buyer's browser posts
 * {@code x-amzn-marketplace-token}; ResolveCustomer tells who it is; SubscriptionOpened is made durable;
 * the browser goes on to the binding page with a signed ticket. Nothing is published for a bad token.
 */
@RestController
class AwsRegistrationController {

    private static final Logger log = LoggerFactory.getLogger(AwsRegistrationController.class);
    private static final Set<String> TOKEN_ERRORS = Set.of("InvalidTokenException", "ExpiredTokenException");

    private final AwsCustomerResolver aws;
    private final ProductCatalog products;
    private final LifecycleEventPublisher publisher;
    private final BindingLinks tickets;
    private final MeterRegistry meters;
    private final Clock clock;

    AwsRegistrationController(AwsCustomerResolver aws, ProductCatalog products, LifecycleEventPublisher publisher,
                              BindingLinks tickets, MeterRegistry meters, Clock clock) {
        this.aws = aws;
        this.products = products;
        this.publisher = publisher;
        this.tickets = tickets;
        this.meters = meters;
        this.clock = clock;
    }

    private static final class Refused extends RuntimeException {
        final HttpStatus status;
        final String reason;
        final String zh;
        final String en;

        Refused(HttpStatus status, String reason, String zh, String en) {
            super(reason);
            this.status = status;
            this.reason = reason;
            this.zh = zh;
            this.en = en;
        }
    }

    @PostMapping("/marketplace/aws/register")
    Mono<ResponseEntity<String>> register(ServerWebExchange exchange) {
        return register(exchange, null);
    }

    @PostMapping("/marketplace/aws/register/{account}")
    Mono<ResponseEntity<String>> registerWith(ServerWebExchange exchange, @PathVariable String account) {
        return register(exchange, account);
    }

    private Mono<ResponseEntity<String>> register(ServerWebExchange exchange, String account) {
        return Mono.defer(() -> {
            if (!aws.knowsAccount(account)) {
                return Mono.error(new Refused(HttpStatus.NOT_FOUND, "unknown_account", "该注册地址未配置，请联系服务商。",
                        "This registration address is not set up with the vendor; please contact the vendor."));
            }
            return exchange.getFormData();
        }).flatMap(form -> {
            String token = form.getFirst("x-amzn-marketplace-token");
            if (token == null || token.isBlank() || form.get("x-amzn-marketplace-token").size() != 1) {
                return Mono.error(new Refused(HttpStatus.BAD_REQUEST, "missing_parameter",
                        "缺少云市场注册令牌，请回到亚马逊云科技 Marketplace 重新点击“设置您的账户”。",
                        "The marketplace registration token is missing. Go back to AWS Marketplace and choose "
                                + "\"Set up your account\" again."));
            }
            boolean trial = "free-trial".equals(form.getFirst("x-amzn-marketplace-offer-type"));
            return aws.resolveCustomer(account, token)
                    .onErrorMap(AwsCustomerResolver.AwsServiceException.class, e -> TOKEN_ERRORS.contains(e.type())
                            ? new Refused(HttpStatus.BAD_REQUEST, e.type().equals("ExpiredTokenException")
                                    ? "expired_token" : "invalid_token",
                                    "注册链接无效或已过期，请回到亚马逊云科技 Marketplace 重新点击“设置您的账户”。",
                                    "This registration link is invalid or has expired. Go back to AWS Marketplace "
                                            + "and choose \"Set up your account\" again.")
                            : unavailable("aws_error"))
                    .onErrorMap(e -> !(e instanceof Refused), e -> {
                        log.warn("ResolveCustomer failed: {}", e.toString());
                        return unavailable("aws_unavailable");
                    })
                    .flatMap(customer -> open(customer, trial, account));
        }).onErrorResume(Refused.class, r -> {
            Counter.builder("marketbill.callbacks.rejected").tag("marketplace", "aws").tag("reason", r.reason)
                    .register(meters).increment();
            log.warn("refused AWS registration: {}", r.reason);
            return Mono.just(BrowserErrorPage.of(r.status, r.zh, r.en));
        });
    }

    private static Refused unavailable(String reason) {
        return new Refused(HttpStatus.SERVICE_UNAVAILABLE, reason, "暂时无法完成注册，请稍后刷新本页重试。",
                "Registration cannot be completed right now. Please reload this page in a minute.");
    }

    private Mono<ResponseEntity<String>> open(AwsCustomerResolver.ResolvedCustomer c, boolean trial, String account) {
        if (c.productCode() == null || products.find(c.productCode()).isEmpty()) {
            return Mono.error(new Refused(HttpStatus.BAD_REQUEST, "unknown_product", "该商品尚未配置，请联系服务商。",
                    "This product is not set up with the vendor yet; please contact the vendor."));
        }
        // the listing must be the account's: billing-service meters it as the account the products file names
        String listedBy = products.find(c.productCode()).map(ProductCatalog.Product::awsAccount)
                .filter(a -> !a.isBlank()).orElse(AwsProperties.DEFAULT_ACCOUNT);
        if (!listedBy.equals(account == null ? AwsProperties.DEFAULT_ACCOUNT : account)) {
            return Mono.error(new Refused(HttpStatus.BAD_REQUEST, "wrong_account", "该商品的注册地址配置有误，请联系服务商。",
                    "This product's registration address is set up wrongly; please contact the vendor."));
        }
        String subscriptionId;
        try {
            subscriptionId = c.licenseArn() != null && c.customerAwsAccountId() != null
                    ? SubscriptionIds.aws(c.customerAwsAccountId(), c.licenseArn())
                    : SubscriptionIds.awsLegacy(c.customerIdentifier());
        } catch (IllegalArgumentException e) {
            return Mono.error(new Refused(HttpStatus.BAD_GATEWAY, "unusable_customer",
                    "云市场返回的客户信息不完整，请稍后重试。", "The marketplace returned incomplete customer data."));
        }
        SubscriptionOpened opened = new SubscriptionOpened(c.productCode(), null, trial, c.customerAwsAccountId(), null,
                null, Map.of(), c.customerIdentifier(), c.licenseArn());
        EventEnvelope event = EventEnvelope.of(EventIds.fromNaturalKey("aws", "register", subscriptionId),
                clock.instant(), "gateway-service", subscriptionId, opened);
        return publisher.publish(event)
                .onErrorMap(e -> unavailable("not_durable"))
                .then(Mono.fromSupplier(() -> {
                    Counter.builder("marketbill.callbacks").tag("marketplace", "aws").tag("action", "register")
                            .tag("outcome", "accepted").register(meters).increment();
                    MDC.put("subscriptionId", subscriptionId);
                    try {
                        log.info("AWS registration accepted");
                    } finally {
                        MDC.remove("subscriptionId");
                    }
                    return ResponseEntity.status(HttpStatus.FOUND)
                            .location(URI.create(tickets.bindingPageFor(subscriptionId, c.customerAwsAccountId())))
                            .<String>build();
                }));
    }
}

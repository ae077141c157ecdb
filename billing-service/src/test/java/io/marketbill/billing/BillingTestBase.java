package io.marketbill.billing;

import static org.awaitility.Awaitility.await;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UsageRecorded;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.messaging.usage.UsageCodec;
import io.marketbill.simulator.SimulatorApplication;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TestTokens;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One billing-service against real PostgreSQL and Kafka, reporting to the marketplace simulator (started
 * once per JVM) through a proxy the tests can break. The billing clock is the tests': they stamp usage in
 * the current real hour and move the clock past the late window to close it. Each test starts from empty
 * billing tables; one context per class (dirtied after it), so listeners of two contexts never share the
 * consumer group.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@Import(BillingTestBase.TestClockConfiguration.class)
public abstract class BillingTestBase {

    @TestConfiguration
    static class TestClockConfiguration {
        @Bean
        @Primary
        io.marketbill.testsupport.MutableClock testClock() {
            return new io.marketbill.testsupport.MutableClock(Instant.now());
        }
    }

    /**
     * binding-service as the overview asks it: {@code Bearer member-of-<org>} sees that organization, an
     * operator every one, anyone else none; {@code Bearer expired} is refused as a bad token.
     */
    protected static com.sun.net.httpserver.HttpServer directory;

    static void startDirectory() throws java.io.IOException {
        directory = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        directory.createContext("/internal/organizations/", x -> {
            // /internal/organizations/{org}/members/{user}, asked with billing-service's own token (its subject is
            // the test provider's service client): as binding-service answers, 200 for the organization's members
            String[] path = x.getRequestURI().getPath().split("/");
            String subject = subjectOf(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            int status = !TestTokens.CLIENT_ID.equals(subject) ? 401
                    : path.length == 6 && path[5].equals("member-of-" + path[3]) ? 200 : 404;
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        directory.start();
    }

    protected static ConfigurableApplicationContext simulator;
    protected static int simulatorPort;
    /** A second simulated AWS, of another partition and seller account (AWS global, us-east-1). */
    protected static ConfigurableApplicationContext globalSimulator;
    protected static int globalSimulatorPort;
    protected static final MarketplaceProxy proxy = new MarketplaceProxy();
    protected static final JsonMapper json = JsonMapper.builder().build();

    static synchronized void startSimulator() {
        if (simulator != null) {
            return;
        }
        simulator = simulator("cn-northwest-1", "local-aws-key", "local-aws-secret", "aws-cn");
        simulatorPort = Integer.parseInt(simulator.getEnvironment().getProperty("local.server.port"));
        globalSimulator = simulator("us-east-1", "global-aws-key", "global-aws-secret", "aws");
        globalSimulatorPort = Integer.parseInt(globalSimulator.getEnvironment().getProperty("local.server.port"));
        proxy.start("http://127.0.0.1:" + simulatorPort);
        try {
            startDirectory();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConfigurableApplicationContext simulator(String awsRegion, String awsKey, String awsSecret,
                                                            String awsPartition) {
        String unreachable = "http://127.0.0.1:9";
        Map<String, String> settings = Map.ofEntries(
                        Map.entry("spring.config.name", "marketplace-simulator-in-billing-tests"),
                        Map.entry("server.port", "0"), Map.entry("server.address", "127.0.0.1"),
                        Map.entry("spring.main.banner-mode", "off"),
                        // the messaging defaults on this classpath would make it wait for a database and a broker
                        Map.entry("management.endpoint.health.group.readiness.include", "readinessState"),
                        Map.entry("spring.autoconfigure.exclude", String.join(",",
                                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                                "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
                                "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
                                "io.marketbill.messaging.config.ReliableMessagingAutoConfiguration",
                                "io.marketbill.messaging.config.DatabaseMessagingAutoConfiguration",
                                // nor Spring Security (it plays the outside world); here it shares billing-service's
                                // classpath, which has it, and the services' API rules
                                "io.marketbill.security.ServiceSecurityAutoConfiguration",
                                "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
                                "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
                                "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
                                "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
                                "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
                                "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration",
                                "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration")),
                        Map.entry("simulator.public-url", "http://127.0.0.1:0"),
                        Map.entry("simulator.aliyun.spi-url", unreachable + "/spi"),
                        Map.entry("simulator.aliyun.spi-key", "unused"),
                        Map.entry("simulator.aliyun.retries", "1"),
                        Map.entry("simulator.aliyun.retry-interval", "10ms"),
                        Map.entry("simulator.aliyun.time-zone", "Asia/Shanghai"),
                        Map.entry("simulator.aliyun.flow-control-interval", "2s"),
                        // the listing's price of Zilliz's unit, as in seed 001 (1250 units = ¥1.25)
                        Map.entry("simulator.aliyun.prices.cmgj00063418-Unit-1", "0.001"),
                        Map.entry("simulator.aws.access-key-id", awsKey),
                        Map.entry("simulator.aws.secret-access-key", awsSecret),
                        Map.entry("simulator.aws.region", awsRegion),
                        Map.entry("simulator.aws.gateway-url", unreachable),
                        // the tests' billing clock runs up to two hours ahead of the real one the simulator checks
                        // records against; AWS itself takes no record from the future
                        Map.entry("simulator.aws.metering.future-tolerance", "3h"),
                        // the listings' dimensions, so that a dimension AWS does not know refuses the call, as AWS does
                        Map.entry("simulator.aws.metering.listings.zilliz-cloud-aws-cn.dimensions", "cu_units"),
                        Map.entry("simulator.aws.metering.listings.zilliz-cloud-aws-global.dimensions", "cu_units"),
                        Map.entry("simulator.aws.topic-arn", "arn:" + awsPartition + ":sns:" + awsRegion
                                + ":000000000000:test"),
                        Map.entry("simulator.identity.issuer", "http://127.0.0.1/dev-login"),
                        Map.entry("simulator.identity.allowed-redirect-prefixes", "http://127.0.0.1:"));
        // as command-line arguments: they must win over the defaults the messaging module adds
        return new SpringApplicationBuilder(SimulatorApplication.class)
                .run(settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
        startSimulator();
        registry.add("marketbill.billing.aliyun.endpoint", () -> proxy.url() + "/aliyun/market");
        registry.add("marketbill.billing.aws.endpoint", proxy::url);
        // the listings of the AWS global seller account (aws-account: global) go to the second simulated AWS
        registry.add("marketbill.billing.aws.accounts.global.region", () -> "us-east-1");
        registry.add("marketbill.billing.aws.accounts.global.metering-endpoint",
                () -> "http://127.0.0.1:" + globalSimulatorPort);
        registry.add("marketbill.billing.aws.accounts.global.access-key-id", () -> "global-aws-key");
        registry.add("marketbill.billing.aws.accounts.global.secret-access-key", () -> "global-aws-secret");
        registry.add("marketbill.billing.binding-service-url",
                () -> "http://127.0.0.1:" + directory.getAddress().getPort());
        registry.add("marketbill.billing.reconciliation.aliyun-record",
                () -> "http://127.0.0.1:" + simulatorPort + "/sim/aliyun/metering");
        registry.add("marketbill.billing.reconciliation.aws-record",
                () -> "http://127.0.0.1:" + simulatorPort + "/sim/aws/metering");
    }

    @Autowired protected io.marketbill.testsupport.MutableClock clock;
    @Autowired protected JdbcClient jdbc;
    @Autowired protected KafkaTemplate<String, String> kafka;
    @Autowired protected EventCodec codec;
    @LocalServerPort protected int port;
    /** Actuator's port (management.server.port): health details, Prometheus, info. */
    @LocalManagementPort protected int managementPort;
    protected final UsageCodec usageCodec = new UsageCodec();
    /** The current real hour: the simulator checks deadlines in real time. */
    protected Instant hour;

    @BeforeEach
    void freshBillingState() {
        proxy.up();
        jdbc.sql("""
                TRUNCATE usage_event_seen, usage_minute, usage_rejection, binding_period, hour_closing, rating_carry,
                    rated_hour, unbilled_hour, metering_record, aliyun_push, reconciliation_difference,
                    metering_period_change, plan_change, hour_attribution, organization_billing, switch_window,
                    switch_window_usage, metered_subscription, outbox_event""").update();
        hour = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        clock.set(hour.plusSeconds(600));
    }

    // ---- the marketplace side ----

    /** Buys an instance on the simulated Alibaba marketplace; returns our subscription id. */
    protected String aliyunInstance(String productCode) {
        HttpResponse<String> r = Http.requestAsOperator(simulatorPort, "POST", "/sim/aliyun/instances",
                "{\"productCode\":\"" + productCode + "\",\"aliUid\":\"1880000000000001\"}",
                "Content-Type", "application/json");
        String orderBizId = read(r.body()).path("orderBizId").asString();
        return SubscriptionIds.aliyun(orderBizId);
    }

    /** A buyer on the simulated AWS marketplace: {accountId, licenseArn, customerIdentifier}. */
    protected JsonNode awsCustomer(String productCode) {
        HttpResponse<String> r = Http.requestAsOperator(simulatorPort, "POST", "/sim/aws/customers",
                "{\"productCode\":\"" + productCode + "\",\"accountId\":\"" + (100000000000L + (long) (Math.random() * 1e11))
                        + "\"}", "Content-Type", "application/json");
        return read(r.body());
    }

    /**
     * GET as a user of the vendor's platform, with a token of the test identity provider: {@code member-of-<org>},
     * {@code operator} (the role), {@code expired} (a member's token that expired), or null for no token.
     */
    protected HttpResponse<String> getAs(String user, String path) {
        if (user == null) {
            return Http.get(port, path);
        }
        String token = switch (user) {
            case "operator" -> TestTokens.operator("operator");
            case "expired" -> TestTokens.token(TestTokens.ISSUER, "member-of-org-o", java.util.List.of(),
                    java.time.Instant.now().minus(java.time.Duration.ofHours(1)), java.time.Duration.ofMinutes(5),
                    TestTokens.testKey());
            default -> TestTokens.user(user);
        };
        return Http.request(port, "GET", path, null, "Authorization", TestTokens.bearer(token));
    }

    /** The subject of a bearer JWT, read without verifying it (the stub only looks at who called), or null. */
    private static String subjectOf(String authorization) {
        String claims = TestTokens.claimsOf(authorization);
        java.util.regex.Matcher m = claims == null ? null
                : java.util.regex.Pattern.compile("\"sub\":\"([^\"]+)\"").matcher(claims);
        return m != null && m.find() ? m.group(1) : null;
    }

    protected static JsonNode read(String body) {
        return json.readTree(body);
    }

    protected JsonNode simulatorAliyunMetering() {
        return read(Http.getAsOperator(simulatorPort, "/sim/aliyun/metering").body());
    }

    protected JsonNode simulatorAwsMetering() {
        return read(Http.getAsOperator(simulatorPort, "/sim/aws/metering").body());
    }

    // ---- events in ----

    protected void lifecycle(String subscriptionId, Instant at, EventPayload payload) {
        EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), at, "gateway-service", subscriptionId, payload);
        send(payload instanceof io.marketbill.contracts.BindingEvent ? Topics.BINDING : Topics.MARKETPLACE_SUBSCRIPTIONS,
                subscriptionId, codec.encode(e));
    }

    protected String openAliyun(String productCode, Instant at, boolean trial) {
        String id = aliyunInstance(productCode);
        lifecycle(id, at, new SubscriptionOpened(productCode, "payg", trial, "1880000000000001", "o-" + id, null,
                Map.of(), null, null));
        awaitRow("SELECT COUNT(*) FROM metered_subscription WHERE subscription_id = '" + id + "'");
        return id;
    }

    protected String openAws(String productCode, Instant at, boolean trial) {
        JsonNode c = awsCustomer(productCode);
        String id = SubscriptionIds.aws(c.path("accountId").asString(), c.path("licenseArn").asString());
        lifecycle(id, at, new SubscriptionOpened(productCode, null, trial, c.path("accountId").asString(), null, null,
                Map.of(), c.path("customerIdentifier").asString(), c.path("licenseArn").asString()));
        awaitRow("SELECT COUNT(*) FROM metered_subscription WHERE subscription_id = '" + id + "'");
        return id;
    }

    protected void bind(String organizationId, String subscriptionId, String productCode, Instant at) {
        // binding-service names the subscription's own account
        String account = jdbc.sql("SELECT marketplace_account_id FROM metered_subscription WHERE subscription_id = :s")
                .param("s", subscriptionId).query(String.class).optional().orElse("acct");
        lifecycle(subscriptionId, at, new SubscriptionBound(organizationId, productCode, account, "u-admin", null));
        awaitRow("SELECT COUNT(*) FROM binding_period WHERE organization_id = '" + organizationId
                + "' AND subscription_id = '" + subscriptionId + "'");
    }

    protected UsageRecorded usage(String organizationId, String subscriptionId, String dimension, String quantity,
                                  Instant at) {
        return new UsageRecorded("//test/platform", UUID.randomUUID().toString(), at, organizationId, subscriptionId,
                dimension, new BigDecimal(quantity));
    }

    /** Sends usage over usage.v1 and waits until billing counted it (or refused it). */
    protected void sendUsage(UsageRecorded... events) {
        long before = usageSeen();
        for (UsageRecorded u : events) {
            send(Topics.USAGE, u.key(), usageCodec.encode(u));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> usageSeen() >= before + events.length);
    }

    protected long usageSeen() {
        return jdbc.sql("SELECT (SELECT COUNT(*) FROM usage_event_seen) + (SELECT COUNT(*) FROM usage_rejection)")
                .query(Long.class).single();
    }

    protected void send(String topic, String key, String value) {
        try {
            kafka.send(topic, key, value).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected void awaitRow(String countSql) {
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(countSql).query(Long.class).single() > 0);
    }

    protected long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}

package io.marketbill.binding;

import io.marketbill.binding.bindings.Bindings;
import io.marketbill.binding.directory.DirectoryChanges;
import io.marketbill.binding.subscriptions.BindableSubscriptions;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.MemberAdded;
import io.marketbill.contracts.OrganizationCreated;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.messaging.inbox.InboundEvents;
import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TestTokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** One Spring context for every test class of the service: real PostgreSQL, the embedded KRaft broker. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(BindingEventRecorder.class)
public abstract class BindingServiceTestBase {

    public static final String EMQX = "cmgj00069406";
    public static final String ZILLIZ = "cmgj00063418";
    public static final String ZILLIZ_SHORT_GRACE = "zilliz-short-grace";
    public static final String GUANCE = "cmgj00053362";
    /** EMQX's policy with a deletion grace period of 5 s and its reminder 3 s before. */
    public static final String EMQX_SHORT_DELETION = "emqx-short-deletion";

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
        TestTokens.register(registry);
        registry.add("marketbill.identity.login-url", TestTokens::loginUrl);
        // the ops console's other services: subscription-service and billing-service stubbed, notification-service down
        registry.add("marketbill.ops.subscription-service-url", OpsStubs::url);
        registry.add("marketbill.ops.billing-service-url", OpsStubs::url);
        registry.add("marketbill.ops.notification-service-url", OpsStubs::deadUrl);
    }

    @Autowired protected DirectoryChanges directory;
    @Autowired protected Bindings bindings;
    @Autowired protected BindableSubscriptions subscriptions;
    @Autowired protected InboundEvents inbound;
    @Autowired protected TransactionTemplate tx;
    @Autowired protected EventCodec codec;
    @LocalServerPort protected int port;
    /** Actuator's port (management.server.port): health details, Prometheus, info. */
    @LocalManagementPort protected int managementPort;

    /** The binding events published for the subscription so far, as type names. */
    protected static List<String> eventTypes(String subscriptionId) {
        return events(subscriptionId).stream().map(EventEnvelope::type).toList();
    }

    protected static List<EventEnvelope> events(String subscriptionId) {
        return List.copyOf(BindingEventRecorder.BY_KEY.getOrDefault(subscriptionId, List.of()));
    }

    /** A lifecycle event, applied as the consumer applies it (tests of the rules need no Kafka hop). */
    protected void lifecycle(String subscriptionId, EventPayload payload) {
        lifecycle(subscriptionId, payload, Instant.now(), "gateway-service");
    }

    /** A lifecycle event that happened at {@code at}, from {@code producer}, applied now (e.g. one that came late). */
    protected void lifecycle(String subscriptionId, EventPayload payload, Instant at, String producer) {
        EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), at, producer, subscriptionId, payload);
        tx.executeWithoutResult(s -> inbound.applyOnce(e, ev -> {
            subscriptions.apply(ev);
            bindings.onLifecycle(ev);
        }));
    }

    protected String opened(String productCode, String account) {
        String id = "aliyun:" + UUID.randomUUID();
        lifecycle(id, new SubscriptionOpened(productCode, "payg", false, account, "o-" + id, null, Map.of(), null,
                null));
        return id;
    }

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected String organization(String name, String... adminThenMembers) {
        String org = unique("org");
        directory.record(new OrganizationCreated(org, name, null));
        for (int i = 0; i < adminThenMembers.length; i++) {
            directory.record(new MemberAdded(org, adminThenMembers[i], i == 0 ? "ADMIN" : "MEMBER", null, null, null));
        }
        return org;
    }

    protected void member(String org, String user, String role) {
        directory.record(new MemberAdded(org, user, role, null, null, null));
    }
}

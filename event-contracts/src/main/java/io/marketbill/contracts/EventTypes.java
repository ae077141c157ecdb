package io.marketbill.contracts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every published event type: its name on the wire, its payload class and its current schema version. */
public final class EventTypes {

    /** One event type. */
    public record EventType(String name, Class<? extends EventPayload> payloadClass, int schemaVersion, String topic) {
    }

    private static final Map<String, EventType> BY_NAME = new LinkedHashMap<>();
    private static final Map<Class<?>, EventType> BY_CLASS = new LinkedHashMap<>();

    static {
        register(SubscriptionOpened.class, 1, Topics.MARKETPLACE_SUBSCRIPTIONS);
        register(SubscriptionChanged.class, 1, Topics.MARKETPLACE_SUBSCRIPTIONS);
        register(SubscriptionFrozen.class, 1, Topics.MARKETPLACE_SUBSCRIPTIONS);
        register(SubscriptionResumed.class, 1, Topics.MARKETPLACE_SUBSCRIPTIONS);
        register(SubscriptionClosed.class, 1, Topics.MARKETPLACE_SUBSCRIPTIONS);
        register(SubscriptionBound.class, 1, Topics.BINDING);
        register(SubscriptionUnbound.class, 1, Topics.BINDING);
        register(OrgFrozen.class, 1, Topics.BINDING);
        register(OrgUnfrozen.class, 1, Topics.BINDING);
        register(DeploymentsStopRequested.class, 1, Topics.BINDING);
        register(DeploymentsDeletionScheduled.class, 1, Topics.BINDING);
        register(DeploymentsDeletionReminder.class, 1, Topics.BINDING);
        register(DeploymentsDeletionCancelled.class, 1, Topics.BINDING);
        register(BillingChannelChanged.class, 1, Topics.BINDING);
        register(OrganizationCreated.class, 1, Topics.DIRECTORY);
        register(OrganizationRenamed.class, 1, Topics.DIRECTORY);
        register(OrganizationDeleted.class, 1, Topics.DIRECTORY);
        register(MemberAdded.class, 1, Topics.DIRECTORY);
        register(MemberRemoved.class, 1, Topics.DIRECTORY);
        register(MemberRoleChanged.class, 1, Topics.DIRECTORY);
        register(UserUpdated.class, 1, Topics.DIRECTORY);
        register(HourRated.class, 1, Topics.BILLING);
        register(MeteringReported.class, 1, Topics.BILLING);
        register(MeteringRejected.class, 1, Topics.BILLING);
        register(MeteringOverdue.class, 1, Topics.BILLING);
        register(UsageForVendorBilling.class, 1, Topics.BILLING);
    }

    private EventTypes() {
    }

    private static void register(Class<? extends EventPayload> type, int version, String topic) {
        EventType t = new EventType(type.getSimpleName(), type, version, topic);
        BY_NAME.put(t.name(), t);
        BY_CLASS.put(type, t);
    }

    public static Optional<EventType> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static EventType of(Class<? extends EventPayload> payloadClass) {
        EventType t = BY_CLASS.get(payloadClass);
        if (t == null) {
            throw new IllegalArgumentException("not a registered event type: " + payloadClass.getName());
        }
        return t;
    }

    public static Iterable<EventType> all() {
        return BY_NAME.values();
    }
}

package io.marketbill.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What every event on our topics looks like: a versioned envelope around a typed payload. On the wire it is
 * JSON with these field names and {@code payload} as an object; the Kafka key is {@link #subscriptionId()}.
 *
 * @param eventId        made once where the event is first recorded; consumers drop a repeated id
 * @param type           the payload's event type name, e.g. {@code SubscriptionOpened}
 * @param schemaVersion  the payload's schema version; consumers reject versions newer than they know
 * @param occurredAt     when it happened (UTC)
 * @param producer       the service that recorded it, e.g. {@code gateway-service}
 * @param marketplace    {@code aliyun} or {@code aws}; null on the directory topic
 * @param subscriptionId the subscription it is about (see {@link SubscriptionIds}); null on the directory topic
 * @param payload        the event itself
 */
public record EventEnvelope(
        UUID eventId,
        String type,
        int schemaVersion,
        Instant occurredAt,
        String producer,
        String marketplace,
        String subscriptionId,
        EventPayload payload) {

    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(payload, "payload");
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be >= 1");
        }
    }

    /** An envelope for a payload of a registered type, at that type's current schema version. */
    public static EventEnvelope of(UUID eventId, Instant occurredAt, String producer, String subscriptionId,
                                   EventPayload payload) {
        EventTypes.EventType t = EventTypes.of(payload.getClass());
        return new EventEnvelope(eventId, t.name(), t.schemaVersion(), occurredAt, producer,
                SubscriptionIds.marketplaceOf(subscriptionId).id(), subscriptionId, payload);
    }

    /**
     * An envelope for a directory event ({@link Topics#DIRECTORY}): no subscription, no marketplace; the record key
     * is the organization (or user) id.
     */
    public static EventEnvelope ofDirectory(UUID eventId, Instant occurredAt, String producer, DirectoryEvent payload) {
        EventTypes.EventType t = EventTypes.of(payload.getClass());
        return new EventEnvelope(eventId, t.name(), t.schemaVersion(), occurredAt, producer, null, null, payload);
    }

    /** The payload as the given type. */
    public <T extends EventPayload> T payloadAs(Class<T> type) {
        return type.cast(payload);
    }
}

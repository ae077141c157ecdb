package io.marketbill.messaging.codec;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.EventTypes;
import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UsageForVendorBilling;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Turns envelopes into the JSON documented in event-contracts and back. Thread-safe. */
public final class EventCodec {

    private final JsonMapper mapper = JsonMapper.builder()
            // consumers must tolerate fields added by newer producers
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public String encode(EventEnvelope envelope) {
        return mapper.writeValueAsString(envelope);
    }

    /**
     * Reads an envelope.
     *
     * @throws MalformedEventException         not JSON, or a required envelope field is missing or invalid
     * @throws UnknownEventTypeException       a type this build does not know (callers skip it)
     * @throws UnsupportedSchemaVersionException a newer schema version than this build knows
     */
    public EventEnvelope decode(String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json == null ? "" : json);
        } catch (JacksonException e) {
            throw new MalformedEventException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedEventException("not a JSON object");
        }
        String type = text(root, "type");
        EventTypes.EventType eventType = EventTypes.byName(type)
                .orElseThrow(() -> new UnknownEventTypeException(type));
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.canConvertToInt() || version.asInt() < 1) {
            throw new MalformedEventException("schemaVersion must be a positive integer");
        }
        if (version.asInt() > eventType.schemaVersion()) {
            throw new UnsupportedSchemaVersionException(type, version.asInt(), eventType.schemaVersion());
        }
        JsonNode payloadNode = root.get("payload");
        if (payloadNode == null || !payloadNode.isObject()) {
            throw new MalformedEventException("payload must be an object");
        }
        try {
            UUID eventId = UUID.fromString(text(root, "eventId"));
            Instant occurredAt = Instant.parse(text(root, "occurredAt"));
            EventPayload payload = mapper.treeToValue(payloadNode, eventType.payloadClass());
            return new EventEnvelope(eventId, type, version.asInt(), occurredAt, text(root, "producer"),
                    optionalText(root, "marketplace"),
                    // directory events are about organizations and users, not subscriptions; usage handed to the
                    // vendor's billing may be of an organization no subscription paid for
                    eventType.topic().equals(Topics.DIRECTORY) || payload instanceof UsageForVendorBilling
                            ? optionalText(root, "subscriptionId") : text(root, "subscriptionId"), payload);
        } catch (JacksonException e) {
            throw new MalformedEventException("payload of " + type + " is invalid: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            throw new MalformedEventException(e.getMessage());
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isString() || n.asString().isBlank()) {
            throw new MalformedEventException(field + " is required");
        }
        return n.asString();
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n.asString();
    }
}

package io.marketbill.messaging.usage;

import io.marketbill.contracts.InvalidUsageException;
import io.marketbill.contracts.UsageRecorded;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes usage as CloudEvents 1.0 in structured JSON mode (event-contracts README, "Usage on
 * usage.v1"). Used by the gateway for {@code POST /api/usage} and by billing-service for {@code usage.v1},
 * so both refuse exactly the same events for the same reasons. Thread-safe.
 */
public final class UsageCodec {

    /** One event of a batch: either the usage or why it was refused. */
    public record Decoded(int index, UsageRecorded usage, String reason, String message, String source, String id) {

        public boolean valid() {
            return usage != null;
        }
    }

    private final JsonMapper mapper = JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    public String encode(UsageRecorded u) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (u.organizationId() != null) {
            data.put("organizationId", u.organizationId());
        } else {
            data.put("subscriptionId", u.subscriptionId());
        }
        data.put("dimension", u.dimension());
        data.put("quantity", u.quantity().toPlainString());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("specversion", "1.0");
        event.put("type", UsageRecorded.TYPE);
        event.put("source", u.source());
        event.put("id", u.id());
        event.put("time", u.time().toString());
        if (u.cloud() != null) {
            event.put("cloud", u.cloud());
        }
        event.put("datacontenttype", "application/json");
        event.put("data", data);
        return mapper.writeValueAsString(event);
    }

    /** Reads one structured-mode CloudEvent. @throws InvalidUsageException with the reason */
    public UsageRecorded decode(String json) {
        return fromNode(parse(json));
    }

    /**
     * Reads a batch ({@code application/cloudevents-batch+json}: a JSON array of events). Each element is
     * judged on its own; only a body that is not a JSON array at all throws.
     */
    public List<Decoded> decodeBatch(byte[] body) {
        JsonNode root = parse(new String(body, StandardCharsets.UTF_8));
        if (!root.isArray()) {
            throw new InvalidUsageException("not_a_batch", "a CloudEvents batch is a JSON array");
        }
        List<Decoded> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            out.add(judge(i, root.get(i)));
        }
        return out;
    }

    /** One element of a batch, or a single event, judged. */
    public Decoded judge(int index, JsonNode node) {
        String source = node != null && node.isObject() ? textOrNull(node, "source") : null;
        String id = node != null && node.isObject() ? textOrNull(node, "id") : null;
        try {
            return new Decoded(index, fromNode(node), null, null, source, id);
        } catch (InvalidUsageException e) {
            return new Decoded(index, null, e.reason(), e.getMessage(), source, id);
        }
    }

    public JsonNode parse(String json) {
        try {
            JsonNode root = mapper.readTree(json == null ? "" : json);
            if (root == null || root.isMissingNode()) {
                throw new InvalidUsageException("malformed_json", "the body is empty");
            }
            return root;
        } catch (JacksonException e) {
            throw new InvalidUsageException("malformed_json", "not JSON: " + e.getOriginalMessage());
        }
    }

    private UsageRecorded fromNode(JsonNode e) {
        if (e == null || !e.isObject()) {
            throw new InvalidUsageException("not_an_event", "a CloudEvent is a JSON object");
        }
        if (!"1.0".equals(textOrNull(e, "specversion"))) {
            throw new InvalidUsageException("bad_specversion", "specversion must be \"1.0\"");
        }
        if (!UsageRecorded.TYPE.equals(textOrNull(e, "type"))) {
            throw new InvalidUsageException("unsupported_type", "type must be " + UsageRecorded.TYPE);
        }
        String contentType = textOrNull(e, "datacontenttype");
        if (contentType != null && !contentType.startsWith("application/json")) {
            throw new InvalidUsageException("bad_datacontenttype", "datacontenttype must be application/json");
        }
        JsonNode data = e.get("data");
        if (data == null || !data.isObject()) {
            throw new InvalidUsageException("missing_data", "data must be a JSON object");
        }
        return new UsageRecorded(textOrNull(e, "source"), textOrNull(e, "id"), time(textOrNull(e, "time")),
                textOrNull(data, "organizationId"), textOrNull(data, "subscriptionId"),
                textOrNull(data, "dimension"), quantity(data.get("quantity")), cloud(e.get("cloud")));
    }

    /** The {@code cloud} extension attribute: a CloudEvents attribute value is a string. */
    private static String cloud(JsonNode c) {
        if (c == null || c.isNull()) {
            return null;
        }
        if (!c.isString()) {
            throw new InvalidUsageException("bad_cloud", "cloud must be a string, e.g. \"aws\"");
        }
        return c.asString();
    }

    private static Instant time(String value) {
        if (value == null) {
            return null;
        }
        try {
            // RFC 3339 demands an offset; a local time string would be ambiguous
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException ex) {
            throw new InvalidUsageException("bad_time", "time must be RFC 3339 with an offset, e.g. 2026-11-23T08:15:00Z");
        }
    }

    private static BigDecimal quantity(JsonNode q) {
        if (q == null || q.isNull()) {
            return null;
        }
        try {
            if (q.isString()) {
                String s = q.asString().trim();
                if (s.length() > 40) {
                    throw new NumberFormatException();
                }
                return new BigDecimal(s);
            }
            if (q.isIntegralNumber() || q.isFloatingPointNumber()) {
                // the JSON text, not a double: 0.1 stays exactly 0.1
                return q.decimalValue();
            }
        } catch (NumberFormatException | ArithmeticException ex) {
            // falls through
        }
        throw new InvalidUsageException("bad_quantity", "data.quantity must be a number or a decimal string");
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asString();
    }
}

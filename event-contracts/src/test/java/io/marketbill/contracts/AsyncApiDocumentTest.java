package io.marketbill.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code asyncapi.yaml} describes what this module's classes define, so the two must not drift: every topic of
 * {@link Topics} is a channel, every event type of {@link EventTypes} one message on the channel of its sealed
 * family, every record component a property of its schema with a compatible JSON type, and the envelope schema is
 * {@link EventEnvelope}. Each test lists every difference it finds, not just the first.
 */
class AsyncApiDocumentTest {

    private static final Path DOCUMENT = Path.of("asyncapi.yaml");
    private static final String MESSAGES = "#/components/messages/";
    private static final String SCHEMAS = "#/components/schemas/";
    /** The one message that is no event class: whatever a consumer gave up on, on the dead-letter topics. */
    private static final String DEAD_LETTER = "DeadLetter";
    /** UsageRecorded travels as a CloudEvent on usage.v1; these attributes are the CloudEvent's, not its fields. */
    private static final Set<String> CLOUD_EVENT_ONLY = Set.of("specversion", "type", "datacontenttype", "data");

    private static Map<String, Object> document;

    @BeforeAll
    static void load() throws IOException {
        LoaderOptions options = new LoaderOptions();
        // a second message or property of the same name would otherwise silently replace the first
        options.setAllowDuplicateKeys(false);
        try (Reader in = Files.newBufferedReader(DOCUMENT, StandardCharsets.UTF_8)) {
            document = map(new Yaml(new SafeConstructor(options)).load(in));
        }
    }

    @Test
    void isAsyncApi300ForTheProjectVersion() throws Exception {
        List<String> problems = new ArrayList<>();
        if (!"3.0.0".equals(document.get("asyncapi"))) {
            problems.add("asyncapi is " + document.get("asyncapi") + ", not 3.0.0");
        }
        String projectVersion = XPathFactory.newInstance().newXPath().evaluate("/project/parent/version",
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile()));
        String released = projectVersion.replace("-SNAPSHOT", "");
        Object documented = map(document.get("info")).get("version");
        if (!released.equals(documented)) {
            problems.add("info.version is " + documented + ", the project is " + released);
        }
        assertNoProblems(problems);
    }

    @Test
    void everyTopicIsAChannelAndEveryChannelATopic() {
        List<String> problems = new ArrayList<>();
        Set<String> topics = topics();
        String deadLetterAddress = Topics.deadLetter("{topic}", "{group}");
        Map<String, String> channels = channelIdsByAddress();
        for (String topic : topics) {
            if (!channels.containsKey(topic)) {
                problems.add("topic " + topic + " has no channel");
            }
        }
        for (String address : channels.keySet()) {
            if (!topics.contains(address) && !address.equals(deadLetterAddress)) {
                problems.add("channel " + channels.get(address) + " (" + address + ") is no topic of Topics");
            }
        }
        if (!channels.containsKey(deadLetterAddress)) {
            problems.add("no channel for the dead-letter topics, address " + deadLetterAddress);
        } else {
            Map<String, Object> parameters = map(channel(channels.get(deadLetterAddress)).get("parameters"));
            if (!parameters.keySet().equals(Set.of("topic", "group"))) {
                problems.add("dead-letter channel parameters are " + parameters.keySet() + ", not [topic, group]");
            }
            Set<String> topicEnum = strings(map(parameters.get("topic")).get("enum"));
            if (!topicEnum.equals(topics)) {
                problems.add("dead-letter parameter topic lists " + topicEnum + ", Topics has " + topics);
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void everyEventTypeIsOneMessageOnTheChannelOfItsFamily() {
        List<String> problems = new ArrayList<>();
        Map<String, String> channels = channelIdsByAddress();
        Map<String, Set<String>> expectedByChannel = new LinkedHashMap<>();
        for (Map.Entry<Class<?>, Set<EventTypes.EventType>> family : families(problems).entrySet()) {
            Set<String> familyTopics = family.getValue().stream().map(EventTypes.EventType::topic)
                    .collect(Collectors.toCollection(TreeSet::new));
            if (familyTopics.size() != 1) {
                problems.add(family.getKey().getSimpleName() + " is spread over topics " + familyTopics);
                continue;
            }
            String channelId = channels.get(familyTopics.iterator().next());
            if (channelId != null) {
                expectedByChannel.put(channelId, family.getValue().stream().map(EventTypes.EventType::name)
                        .collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        Optional.ofNullable(channels.get(Topics.USAGE))
                .ifPresent(id -> expectedByChannel.put(id, Set.of(UsageRecorded.class.getSimpleName())));
        Optional.ofNullable(channels.get(Topics.deadLetter("{topic}", "{group}")))
                .ifPresent(id -> expectedByChannel.put(id, Set.of(DEAD_LETTER)));

        for (String channelId : map(document.get("channels")).keySet()) {
            Map<String, Object> messages = map(channel(channelId).get("messages"));
            Set<String> expected = expectedByChannel.getOrDefault(channelId, Set.of());
            for (String name : expected) {
                if (!messages.containsKey(name)) {
                    problems.add("channel " + channelId + " lacks message " + name);
                }
            }
            for (Map.Entry<String, Object> m : messages.entrySet()) {
                if (!expected.contains(m.getKey())) {
                    problems.add("channel " + channelId + " has message " + m.getKey()
                            + ", which is no event of its topic");
                }
                Object ref = map(m.getValue()).get("$ref");
                if (!(MESSAGES + m.getKey()).equals(ref)) {
                    problems.add("channel " + channelId + " message " + m.getKey() + " refers to " + ref
                            + ", not " + MESSAGES + m.getKey());
                }
            }
        }

        Set<String> known = new TreeSet<>();
        EventTypes.all().forEach(t -> known.add(t.name()));
        known.add(UsageRecorded.class.getSimpleName());
        known.add(DEAD_LETTER);
        Map<String, Object> messages = map(map(document.get("components")).get("messages"));
        for (String name : known) {
            if (!messages.containsKey(name)) {
                problems.add("no message " + name + " in components.messages");
            }
        }
        for (Map.Entry<String, Object> m : messages.entrySet()) {
            Map<String, Object> message = map(m.getValue());
            if (!known.contains(m.getKey())) {
                problems.add("message " + m.getKey() + " has no event class");
            }
            if (!m.getKey().equals(message.get("name"))) {
                problems.add("message " + m.getKey() + " is named " + message.get("name"));
            }
            Map<String, Object> key = map(resolve(map(map(resolve(message.get("bindings"))).get("kafka")).get("key")));
            if (!jsonTypes(key, m.getKey() + " key", problems).contains("string")) {
                problems.add("message " + m.getKey() + " has no string bindings.kafka.key");
            }
        }
        for (EventTypes.EventType t : EventTypes.all()) {
            if (messages.containsKey(t.name())) {
                checkEnvelopeMessage(t, map(map(messages.get(t.name())).get("payload")), problems);
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void everyRecordComponentIsAPropertyOfItsSchemaAndNoMore() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> schemas = map(map(document.get("components")).get("schemas"));
        for (EventTypes.EventType t : EventTypes.all()) {
            if (!schemas.containsKey(t.name())) {
                problems.add("no schema " + t.name() + " in components.schemas");
                continue;
            }
            compare(t.name(), t.payloadClass().getRecordComponents(), map(schemas.get(t.name())), problems);
        }

        Map<String, Object> cloudEvent = map(resolve(map(map(map(document.get("components")).get("messages"))
                .get(UsageRecorded.class.getSimpleName())).get("payload")));
        Map<String, Object> attributes = map(cloudEvent.get("properties"));
        if (!UsageRecorded.TYPE.equals(map(attributes.get("type")).get("const"))) {
            problems.add("the usage CloudEvent's type is not const " + UsageRecorded.TYPE);
        }
        // the record's fields are the CloudEvent's own attributes plus what its data holds
        Map<String, Object> flattened = new LinkedHashMap<>();
        attributes.forEach((name, schema) -> {
            if (!CLOUD_EVENT_ONLY.contains(name)) {
                flattened.put(name, schema);
            }
        });
        flattened.putAll(map(map(resolve(attributes.get("data"))).get("properties")));
        compare("UsageRecorded (CloudEvent and its data)", UsageRecorded.class.getRecordComponents(),
                Map.of("properties", flattened), problems);
        assertNoProblems(problems);
    }

    @Test
    void theEnvelopeSchemaIsEventEnvelope() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> envelope = map(map(map(document.get("components")).get("schemas")).get("EventEnvelope"));
        compare("EventEnvelope", EventEnvelope.class.getRecordComponents(), envelope, problems);
        assertNoProblems(problems);
    }

    @Test
    void everyReferenceResolves() {
        List<String> problems = new ArrayList<>();
        collectReferences(document, "", problems);
        assertNoProblems(problems);
    }

    @Test
    void operationsSendAndReceiveTheMessagesOfTheirChannel() {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> actionsByChannel = new LinkedHashMap<>();
        for (Map.Entry<String, Object> op : map(document.get("operations")).entrySet()) {
            Map<String, Object> operation = map(op.getValue());
            String channelRef = String.valueOf(map(operation.get("channel")).get("$ref"));
            actionsByChannel.computeIfAbsent(channelRef, c -> new TreeSet<>())
                    .add(String.valueOf(operation.get("action")));
            for (Object message : list(operation.get("messages"))) {
                // AsyncAPI 3: an operation names a subset of its own channel's messages
                String ref = String.valueOf(map(message).get("$ref"));
                if (!ref.startsWith(channelRef + "/messages/")) {
                    problems.add("operation " + op.getKey() + " names " + ref + ", not a message of " + channelRef);
                }
            }
        }
        Set<String> topics = topics();
        for (Map.Entry<String, String> c : channelIdsByAddress().entrySet()) {
            Set<String> actions = actionsByChannel.getOrDefault("#/channels/" + c.getValue(), Set.of());
            // nothing reads the dead-letter topics: operators work from each service's dead_letter table
            Set<String> expected = topics.contains(c.getKey()) ? Set.of("send", "receive") : Set.of("send");
            if (!actions.containsAll(expected)) {
                problems.add("channel " + c.getValue() + " has operations " + actions + ", needs " + expected);
            }
        }
        assertNoProblems(problems);
    }

    /** A message on an envelope topic: the envelope, with its type, schema version and payload pinned. */
    private static void checkEnvelopeMessage(EventTypes.EventType t, Map<String, Object> payload,
                                             List<String> problems) {
        Set<String> envelopeFields = Arrays.stream(EventEnvelope.class.getRecordComponents())
                .map(RecordComponent::getName).collect(Collectors.toCollection(TreeSet::new));
        Map<String, List<Map<String, Object>>> properties = new LinkedHashMap<>();
        for (Map<String, Object> part : allOfParts(payload)) {
            map(part.get("properties")).forEach((name, schema) ->
                    properties.computeIfAbsent(name, n -> new ArrayList<>()).add(map(schema)));
        }
        if (!properties.keySet().equals(envelopeFields)) {
            problems.add("message " + t.name() + " payload has properties " + new TreeSet<>(properties.keySet())
                    + ", EventEnvelope has " + envelopeFields);
        }
        if (!pinned(properties, "type", "const").contains(t.name())) {
            problems.add("message " + t.name() + " does not pin type to const " + t.name());
        }
        if (!pinned(properties, "schemaVersion", "const").contains(t.schemaVersion())) {
            problems.add("message " + t.name() + " does not pin schemaVersion to const " + t.schemaVersion());
        }
        if (!pinned(properties, "payload", "$ref").contains(SCHEMAS + t.name())) {
            problems.add("message " + t.name() + " payload does not refer to " + SCHEMAS + t.name());
        }
    }

    private static Set<Object> pinned(Map<String, List<Map<String, Object>>> properties, String property, String key) {
        Set<Object> values = new LinkedHashSet<>();
        properties.getOrDefault(property, List.of()).forEach(schema -> {
            if (schema.containsKey(key)) {
                values.add(schema.get(key));
            }
        });
        return values;
    }

    /** The schema and every schema it is made of through allOf, references followed. */
    private static List<Map<String, Object>> allOfParts(Map<String, Object> schema) {
        List<Map<String, Object>> parts = new ArrayList<>();
        Map<String, Object> resolved = map(resolve(schema));
        parts.add(resolved);
        for (Object part : list(resolved.get("allOf"))) {
            parts.addAll(allOfParts(map(part)));
        }
        return parts;
    }

    /** Record components against a schema's properties: the same names, compatible JSON types. */
    private static void compare(String what, RecordComponent[] components, Map<String, Object> schema,
                                List<String> problems) {
        Map<String, Object> properties = map(schema.get("properties"));
        Set<String> names = new LinkedHashSet<>();
        for (RecordComponent c : components) {
            names.add(c.getName());
            if (!properties.containsKey(c.getName())) {
                problems.add(what + "." + c.getName() + " is missing from the schema");
                continue;
            }
            checkType(what + "." + c.getName(), c.getGenericType(), map(resolve(properties.get(c.getName()))),
                    problems);
        }
        for (String property : properties.keySet()) {
            if (!names.contains(property)) {
                problems.add(what + "." + property + " is in the schema but not in the record");
            }
        }
        for (String required : strings(schema.get("required"))) {
            if (!properties.containsKey(required)) {
                problems.add(what + " requires " + required + ", which is no property");
            }
        }
    }

    private static void checkType(String what, Type javaType, Map<String, Object> property, List<String> problems) {
        Set<String> types = jsonTypes(property, what, problems);
        boolean nullable = types.remove("null");
        Class<?> raw = javaType instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) javaType;
        if (raw.isPrimitive() && nullable) {
            problems.add(what + " is a " + raw + " and can never be null, but the schema allows null");
        }
        Object format = property.get("format");
        if (raw == String.class) {
            expect(what, types, Set.of("string"), problems);
            if (what.endsWith(".marketplace") && property.containsKey("enum")) {
                // Marketplace is an enum in Java but a String on the wire
                Set<String> ids = Arrays.stream(Marketplace.values()).map(Marketplace::id)
                        .collect(Collectors.toCollection(TreeSet::new));
                Set<String> listed = strings(property.get("enum"));
                if (!listed.equals(ids)) {
                    problems.add(what + " lists " + listed + ", Marketplace has " + ids);
                }
            }
        } else if (raw == boolean.class || raw == Boolean.class) {
            expect(what, types, Set.of("boolean"), problems);
        } else if (raw == int.class || raw == Integer.class) {
            expect(what, types, Set.of("integer"), problems);
            expectFormat(what, format, "int32", problems);
        } else if (raw == long.class || raw == Long.class) {
            expect(what, types, Set.of("integer"), problems);
            expectFormat(what, format, "int64", problems);
        } else if (raw == Instant.class) {
            expect(what, types, Set.of("string"), problems);
            expectFormat(what, format, "date-time", problems);
        } else if (raw == UUID.class) {
            expect(what, types, Set.of("string"), problems);
            expectFormat(what, format, "uuid", problems);
        } else if (raw == BigDecimal.class) {
            // written as a decimal string (exact); where a reader also takes a JSON number, the schema may say so
            if (!types.contains("string") || !Set.of("string", "number").containsAll(types)) {
                problems.add(what + " is a BigDecimal: a string (or string and number), not " + types);
            }
        } else if (Map.class.isAssignableFrom(raw) && javaType instanceof ParameterizedType p) {
            expect(what, types, Set.of("object"), problems);
            checkType(what + " (values)", p.getActualTypeArguments()[1],
                    map(resolve(property.get("additionalProperties"))), problems);
        } else if (List.class.isAssignableFrom(raw) && javaType instanceof ParameterizedType p) {
            expect(what, types, Set.of("array"), problems);
            checkType(what + " (items)", p.getActualTypeArguments()[0], map(resolve(property.get("items"))),
                    problems);
        } else if (raw == EventPayload.class) {
            expect(what, types, Set.of("object"), problems);
        } else {
            problems.add(what + " is a " + javaType.getTypeName() + ", which this test does not map to JSON yet");
        }
    }

    private static void expect(String what, Set<String> actual, Set<String> expected, List<String> problems) {
        if (!actual.equals(expected)) {
            problems.add(what + " has JSON type " + actual + ", expected " + expected);
        }
    }

    private static void expectFormat(String what, Object actual, String expected, List<String> problems) {
        if (!expected.equals(actual)) {
            problems.add(what + " has format " + actual + ", expected " + expected);
        }
    }

    /** A schema's type, one name or a list of them. */
    private static Set<String> jsonTypes(Map<String, Object> schema, String what, List<String> problems) {
        Object type = schema.get("type");
        Set<String> types = new TreeSet<>();
        if (type instanceof String s) {
            types.add(s);
        } else if (type instanceof List<?> l) {
            for (Object t : l) {
                if (t == null) {
                    // YAML reads an unquoted null as no value at all, not as the type name "null"
                    problems.add(what + " lists an unquoted null as a type; write 'null'");
                } else {
                    types.add(t.toString());
                }
            }
        }
        return types;
    }

    private static void collectReferences(Object node, String at, List<String> problems) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String path = at + "/" + e.getKey();
                if ("$ref".equals(e.getKey())) {
                    String ref = String.valueOf(e.getValue());
                    if (pointer(ref).isEmpty()) {
                        problems.add(path + ": " + ref + " does not resolve");
                    }
                } else {
                    collectReferences(e.getValue(), path, problems);
                }
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                collectReferences(l.get(i), at + "/" + i, problems);
            }
        }
    }

    /** A local JSON pointer ({@code #/a/b}) into the document; the document refers to nothing outside itself. */
    private static Optional<Object> pointer(String ref) {
        if (!ref.startsWith("#/")) {
            return Optional.empty();
        }
        Object node = document;
        for (String token : ref.substring(2).split("/", -1)) {
            String key = token.replace("~1", "/").replace("~0", "~");
            if (node instanceof Map<?, ?> m && m.containsKey(key)) {
                node = m.get(key);
            } else if (node instanceof List<?> l && key.matches("\\d+") && Integer.parseInt(key) < l.size()) {
                node = l.get(Integer.parseInt(key));
            } else {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(node);
    }

    /** Follows references until a node that is none; an unresolvable one ends as an empty node. */
    private static Object resolve(Object node) {
        Object current = node;
        for (int hops = 0; current instanceof Map<?, ?> m && m.containsKey("$ref") && hops < 16; hops++) {
            current = pointer(String.valueOf(m.get("$ref"))).orElse(Map.of());
        }
        return current;
    }

    /**
     * The sealed event families of the registered event types, each with its members. A member a family permits
     * but {@link EventTypes} does not register, or a type in no family, is a problem: it would have no channel.
     */
    private static Map<Class<?>, Set<EventTypes.EventType>> families(List<String> problems) {
        Map<Class<?>, Set<EventTypes.EventType>> families = new LinkedHashMap<>();
        for (EventTypes.EventType t : EventTypes.all()) {
            List<Class<?>> sealed = Arrays.stream(t.payloadClass().getInterfaces())
                    .filter(i -> i.isSealed() && EventPayload.class.isAssignableFrom(i)).toList();
            if (sealed.size() != 1) {
                problems.add(t.name() + " belongs to " + sealed.size() + " sealed event families, not one");
                continue;
            }
            families.computeIfAbsent(sealed.getFirst(), f -> new LinkedHashSet<>()).add(t);
        }
        for (Class<?> family : families.keySet()) {
            for (Class<?> member : family.getPermittedSubclasses()) {
                if (EventTypes.byName(member.getSimpleName()).isEmpty()) {
                    problems.add(family.getSimpleName() + " permits " + member.getSimpleName()
                            + ", which EventTypes does not register");
                }
            }
        }
        return families;
    }

    private static Set<String> topics() {
        Set<String> topics = new TreeSet<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    topics.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return topics;
    }

    private static Map<String, String> channelIdsByAddress() {
        Map<String, String> byAddress = new LinkedHashMap<>();
        map(document.get("channels"))
                .forEach((id, channel) -> byAddress.put(String.valueOf(map(channel).get("address")), id));
        return byAddress;
    }

    private static Map<String, Object> channel(String id) {
        return map(map(document.get("channels")).get(id));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object node) {
        return node instanceof List<?> l ? l : List.of();
    }

    private static Set<String> strings(Object node) {
        return list(node).stream().filter(e -> e != null).map(String::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void assertNoProblems(List<String> problems) {
        assertThat(problems)
                .withFailMessage(() -> DOCUMENT + " and the contract classes differ:\n  - "
                        + String.join("\n  - ", problems))
                .isEmpty();
    }
}

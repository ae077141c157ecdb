package io.marketbill.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Published contracts only grow. The snapshot in {@code published-contracts.txt} lists every field of the
 * envelope and of each event as published; a field that disappears or changes name or type fails here
 * (that needs a new schema version and a new snapshot line, not an edit). A new field must be added to the
 * snapshot and to the README, so that every published field is documented.
 */
class ContractCompatibilityTest {

    private static final Path SNAPSHOT = Path.of("src/test/resources/published-contracts.txt");

    static List<String> currentContract() {
        List<String> lines = new ArrayList<>();
        lines.addAll(fields("EventEnvelope", 0, EventEnvelope.class));
        for (EventTypes.EventType t : EventTypes.all()) {
            lines.add("topic " + t.topic() + " " + t.name());
            lines.addAll(fields(t.name(), t.schemaVersion(), t.payloadClass()));
        }
        return lines;
    }

    private static List<String> fields(String name, int version, Class<?> type) {
        List<String> lines = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            lines.add(name + (version > 0 ? " v" + version : "") + " " + c.getName() + " " + typeName(c.getGenericType()));
        }
        return lines;
    }

    private static String typeName(Type t) {
        return t.getTypeName().replace("java.lang.", "").replace("java.time.", "").replace("java.util.", "")
                .replace("io.marketbill.contracts.", "");
    }

    private static Set<String> snapshot() throws IOException {
        Set<String> lines = new LinkedHashSet<>();
        for (String l : Files.readAllLines(SNAPSHOT, StandardCharsets.UTF_8)) {
            if (!l.isBlank() && !l.startsWith("#")) {
                lines.add(l.strip());
            }
        }
        return lines;
    }

    @Test
    void noPublishedFieldIsDroppedRenamedOrRetyped() throws IOException {
        List<String> current = currentContract();
        List<String> missing = snapshot().stream().filter(l -> !current.contains(l)).toList();
        assertThat(missing)
                .as("published fields that disappeared or changed (a breaking change needs a new schema version)")
                .isEmpty();
    }

    @Test
    void everyFieldIsInTheSnapshot() throws IOException {
        Set<String> snapshot = snapshot();
        List<String> added = currentContract().stream().filter(l -> !snapshot.contains(l)).toList();
        assertThat(added).as("fields not yet in " + SNAPSHOT + " (add them there and to README.md)").isEmpty();
    }

    @Test
    void readmeDocumentsEveryTopicEventAndField() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<String> undocumented = new ArrayList<>();
        for (String topic : List.of(Topics.MARKETPLACE_SUBSCRIPTIONS, Topics.BINDING, Topics.DIRECTORY, Topics.USAGE,
                Topics.BILLING)) {
            if (!readme.contains("`" + topic + "`")) {
                undocumented.add("topic " + topic);
            }
        }
        for (RecordComponent c : EventEnvelope.class.getRecordComponents()) {
            if (!readme.contains("`" + c.getName() + "`")) {
                undocumented.add("envelope field " + c.getName());
            }
        }
        for (EventTypes.EventType t : EventTypes.all()) {
            int section = readme.indexOf("### " + t.name());
            if (section < 0) {
                undocumented.add("event " + t.name());
                continue;
            }
            int end = readme.indexOf("\n### ", section + 4);
            String text = readme.substring(section, end < 0 ? readme.length() : end);
            for (RecordComponent c : t.payloadClass().getRecordComponents()) {
                if (!text.contains("`" + c.getName() + "`")) {
                    undocumented.add(t.name() + "." + c.getName());
                }
            }
        }
        assertThat(undocumented).as("missing from event-contracts/README.md").isEmpty();
    }
}

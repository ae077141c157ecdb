package io.marketbill.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each check of {@link ConfigurationMetadata} on a module laid out in a folder, complete and then broken. */
class ConfigurationMetadataTest {

    /** No dependency's metadata: only the module's own counts. */
    static final ClassLoader NOTHING = new URLClassLoader(new URL[0], null);

    static final String YAML = """
            marketbill:
              late-window: ${LATE_WINDOW:10m}
              secrets:
                required: marketbill.key
            ---
            marketbill:
              products:
                - name: a
            """;

    static final String SOURCE = """
            class Late {
                Late(@Value("${marketbill.timeout:8s}") String t,
                     @Value("${marketbill.url:${URL:http://x}}") String u) {
                }
            }
            """;

    @TempDir
    Path module;

    @BeforeEach
    void complete() throws IOException {
        write("src/main/resources/application.yml", YAML);
        write("src/main/java/Late.java", SOURCE);
        write("src/main/resources/META-INF/additional-spring-configuration-metadata.json",
                metadata(property("marketbill.timeout", "java.time.Duration", "Per call.", "\"8s\"", false)));
        write("target/classes/" + ConfigurationMetadata.METADATA, metadata(
                property("marketbill.late-window", "java.time.Duration", "Environment: LATE_WINDOW.", "\"10m\"", true),
                property("marketbill.secrets.required", "java.lang.String", "Names checked.", null, false),
                property("marketbill.key", "java.lang.String", "The key.", null, true),
                property("marketbill.products", "java.util.List<P>", "The products.", null, true),
                property("marketbill.timeout", "java.time.Duration", "Per call.", "\"8s\"", false),
                property("marketbill.url", "java.net.URI", "Environment: URL.", "\"http://x\"", false)));
    }

    @Test
    void aCompleteModuleHasNoProblems() {
        assertThat(problems()).isEmpty();
    }

    @Test
    void aKeyWithoutMetadataIsNamedWithWhereItIsUsed() throws IOException {
        write("src/main/resources/application.yml", YAML + "  undocumented: 1\n");
        write("src/main/java/More.java", "class More { @Value(\"${marketbill.other}\") String o; }");
        assertThat(problems()).containsExactly("marketbill.other (More.java) has no metadata",
                "marketbill.undocumented (application.yml) has no metadata");
    }

    @Test
    void aPropertyWithoutDescriptionIsNamed() throws IOException {
        write("target/classes/" + ConfigurationMetadata.METADATA, Files.readString(ownMetadata())
                .replace("\"description\": \"The key.\", ", ""));
        assertThat(problems()).containsExactly("marketbill.key has no description");
    }

    @Test
    void aDefaultOfTheYamlOrTheCodeMustBeTheMetadatas() throws IOException {
        write("src/main/resources/application.yml", YAML.replace("LATE_WINDOW:10m", "LATE_WINDOW:15m"));
        write("src/main/java/Late.java", SOURCE.replace("timeout:8s", "timeout:9s"));
        assertThat(problems()).containsExactly(
                "marketbill.late-window: application.yml defaults to \"15m\", the metadata to \"10m\"",
                "marketbill.timeout: Late.java defaults to \"9s\", the metadata to \"8s\"");
    }

    @Test
    void theDescriptionNamesTheEnvironmentVariable() throws IOException {
        write("target/classes/" + ConfigurationMetadata.METADATA, Files.readString(ownMetadata())
                .replace("Environment: URL.", "Where."));
        assertThat(problems()).containsExactly("marketbill.url: the description does not name URL (Late.java)");
    }

    @Test
    void aHandWrittenEntryNothingUsesIsStale() throws IOException {
        write("src/main/java/Late.java", SOURCE.replace("marketbill.timeout:8s", "marketbill.elsewhere:8s"));
        assertThat(problems()).contains("marketbill.timeout is described in " + ConfigurationMetadata.ADDITIONAL
                + " but neither the module's YAML nor its code uses it (stale)");
    }

    private List<String> problems() {
        return ConfigurationMetadata.problems(module, List.of("application.yml"), NOTHING);
    }

    private Path ownMetadata() {
        return module.resolve("target/classes/" + ConfigurationMetadata.METADATA);
    }

    private void write(String path, String text) throws IOException {
        Path file = module.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static String metadata(String... properties) {
        return "{\"properties\": [" + String.join(",\n", properties) + "]}";
    }

    private static String property(String name, String type, String description, String defaultValue, boolean bound) {
        return "{\"name\": \"" + name + "\", \"type\": \"" + type + "\", \"description\": \"" + description + "\", "
                + (defaultValue == null ? "" : "\"defaultValue\": " + defaultValue + ", ")
                + (bound ? "\"sourceType\": \"Some\", " : "") + "\"x\": 0}";
    }
}

package io.marketbill.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds a module's {@code marketbill.*} settings to the Spring Boot configuration metadata its build made
 * ({@code META-INF/spring-configuration-metadata.json}), which is what IDEs complete and document. Every key the
 * module's YAML sets or its code reads must be described; a default that the YAML ({@code ${ENV:default}}) or a
 * placeholder in the code ({@code ${marketbill.x:default}}) gives must be the metadata's; a hand-written entry
 * ({@code additional-spring-configuration-metadata.json}) that nothing uses any more is stale. Reads files only, so no
 * Spring context is started: a missing description fails in a second, not after a service boots.
 */
public final class ConfigurationMetadata {

    static final String PREFIX = "marketbill.";
    static final String METADATA = "META-INF/spring-configuration-metadata.json";
    /**
     * The hand-written entries, merged by the processor. They carry no {@code sourceType}: the processor's own
     * entries have one, which tells an entry that adds a default to a record component's from a stale one.
     */
    static final String ADDITIONAL = "src/main/resources/META-INF/additional-spring-configuration-metadata.json";

    /** {@code @Value}, {@code @Scheduled}, {@code @RequestMapping} and a placeholder in another one's default. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(marketbill\\.[a-z0-9.\\-\\[\\]]+)");
    /** Keys read through the {@code Environment}, e.g. the production secrets check's lists. */
    private static final Pattern ENVIRONMENT_READ = Pattern.compile("getProperty\\(\"(marketbill\\.[^\"]+)\"");
    /** A whole value that is an environment variable with a default: {@code ${BILLING_LATE_WINDOW:10m}}. */
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):([^${}]*)}");
    /** Their values are property names that the production secrets check reads. */
    private static final Set<String> SECRET_LISTS =
            Set.of("marketbill.secrets.required", "marketbill.secrets.optional");

    private ConfigurationMetadata() {
    }

    /**
     * Fails, naming every problem, unless the module in the working directory (where Surefire runs a module's
     * tests) describes each of its {@code marketbill.*} keys. Run after {@code compile}: the metadata is what the
     * annotation processor wrote to {@code target/classes}; the dependencies' comes from the test classpath.
     *
     * @param yamlFiles the module's configuration files under {@code src/main/resources}, e.g. "application.yml"
     */
    public static void assertComplete(String... yamlFiles) {
        Path module = Path.of("").toAbsolutePath();
        List<String> problems = problems(module, List.of(yamlFiles), ConfigurationMetadata.class.getClassLoader());
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " configuration metadata problem(s) in " + module
                    + " (descriptions: the @ConfigurationProperties records' @param, or " + ADDITIONAL + "):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** Where a key is used, and the default given there (null: none, or not a plain value). */
    record Use(String where, String environment, String defaultValue) {
    }

    /** One property of a metadata file; bound: generated from a {@code @ConfigurationProperties} type. */
    record Property(String name, String type, String description, String defaultValue, boolean bound) {

        boolean covers(String key) {
            return key.equals(name) || container() && (key.startsWith(name + ".") || key.startsWith(name + "["));
        }

        /** Map and List properties take any key beneath them (catalog entries: marketbill.products.x.name). */
        private boolean container() {
            return type != null && (type.startsWith("java.util.Map<") || type.startsWith("java.util.List<")
                    || type.startsWith("java.util.Set<") || type.endsWith("[]"));
        }
    }

    static List<String> problems(Path module, List<String> yamlFiles, ClassLoader classpath) {
        Map<String, List<Use>> keys = new TreeMap<>();
        for (String file : yamlFiles) {
            readYaml(module.resolve("src/main/resources").resolve(file), file, keys);
        }
        readSources(module.resolve("src/main/java"), keys);
        Path own = module.resolve("target/classes").resolve(METADATA);
        Map<String, Property> ownProperties = Files.exists(own) ? readMetadata(own) : Map.of();
        Map<String, Property> properties = new LinkedHashMap<>(ownProperties);
        dependencies(classpath, own).forEach(p -> properties.putIfAbsent(p.name(), p));

        List<String> problems = new ArrayList<>();
        if (keys.isEmpty()) {
            problems.add("no marketbill.* key found under " + module + ": not a module directory?");
        }
        Path additional = module.resolve(ADDITIONAL);
        if (Files.exists(additional) && !Files.exists(own)) {
            problems.add(own + " is missing: the configuration processor did not run (compile first)");
        }
        Set<Property> described = new LinkedHashSet<>();
        ownProperties.values().stream().filter(p -> p.name().startsWith(PREFIX)).forEach(described::add);
        keys.forEach((key, uses) -> {
            Property p = properties.containsKey(key) ? properties.get(key)
                    : properties.values().stream().filter(c -> c.covers(key)).findFirst().orElse(null);
            if (p == null) {
                problems.add(key + " (" + wheres(uses) + ") has no metadata");
                return;
            }
            described.add(p);
            if (p.name().equals(key)) {
                problems.addAll(defaultProblems(p, uses));
            }
        });
        described.stream().filter(p -> p.description() == null || p.description().isBlank())
                .forEach(p -> problems.add(p.name() + " has no description"));
        if (Files.exists(additional) && Files.exists(own)) {
            // a hand-written entry has no sourceType; one that adds to a record component's is merged into the
            // processor's, which has one: the record binds it
            readMetadata(additional).keySet().stream()
                    .filter(name -> !keys.containsKey(name)
                            && (ownProperties.get(name) == null || !ownProperties.get(name).bound()))
                    .forEach(name -> problems.add(name + " is described in " + ADDITIONAL
                            + " but neither the module's YAML nor its code uses it (stale)"));
        }
        return problems;
    }

    /**
     * The YAML's default wins over the code's (it is set whenever the file is read); each must be the metadata's,
     * and the description must name the environment variable that overrides it.
     */
    private static List<String> defaultProblems(Property p, List<Use> uses) {
        List<String> problems = new ArrayList<>();
        boolean yamlSets = uses.stream().anyMatch(u -> u.where().endsWith(".yml") || u.where().endsWith(".yaml"));
        for (Use u : uses) {
            boolean code = u.where().endsWith(".java");
            String given = u.defaultValue() == null ? "" : u.defaultValue().strip();
            if (!given.isEmpty() && !(code && yamlSets) && !given.equals(p.defaultValue())) {
                problems.add(p.name() + ": " + u.where() + " defaults to \"" + given + "\", the metadata to "
                        + (p.defaultValue() == null ? "nothing" : "\"" + p.defaultValue() + "\""));
            }
            if (u.environment() != null && (p.description() == null || !p.description().contains(u.environment()))) {
                problems.add(p.name() + ": the description does not name " + u.environment() + " (" + u.where()
                        + ")");
            }
        }
        return problems;
    }

    private static String wheres(List<Use> uses) {
        return String.join(", ", new TreeSet<>(uses.stream().map(Use::where).toList()));
    }

    private static void readYaml(Path file, String name, Map<String, List<Use>> keys) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (InputStream in = Files.newInputStream(file)) {
            for (Object document : yaml.loadAll(in)) {
                flatten("", document, name, keys);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flatten(String key, Object node, String where, Map<String, List<Use>> keys) {
        if (node instanceof Map<?, ?> map && !map.isEmpty()) {
            map.forEach((k, v) -> flatten(key.isEmpty() ? String.valueOf(k) : key + "." + k, v, where, keys));
            return;
        }
        if (!key.startsWith(PREFIX)) {
            return;
        }
        // a list is the value of its key (marketbill.usage.producers), as Spring binds it
        Matcher env = node instanceof String s ? ENV_DEFAULT.matcher(s.strip()) : null;
        boolean placeholder = env != null && env.matches();
        add(keys, key, new Use(where, placeholder ? env.group(1) : null, placeholder ? env.group(2) : null));
        if (SECRET_LISTS.contains(key) && node instanceof String names) {
            for (String secret : names.split(",")) {
                if (secret.strip().startsWith(PREFIX)) {
                    add(keys, secret.strip(), new Use(where + " (" + key + ")", null, null));
                }
            }
        }
    }

    private static void readSources(Path sources, Map<String, List<Use>> keys) {
        if (!Files.isDirectory(sources)) {
            return;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(file);
                String where = file.getFileName().toString();
                Matcher m = PLACEHOLDER.matcher(text);
                while (m.find()) {
                    add(keys, m.group(1), codeUse(where, text, m.end()));
                }
                Matcher read = ENVIRONMENT_READ.matcher(text);
                while (read.find()) {
                    add(keys, read.group(1), new Use(where, null, null));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default after the key: a literal, or an environment variable's ({@code ${KEY:${ENV:literal}}}). */
    private static Use codeUse(String where, String text, int afterKey) {
        if (afterKey >= text.length() || text.charAt(afterKey) != ':') {
            return new Use(where, null, null);
        }
        int depth = 1;
        int end = afterKey + 1;
        for (; end < text.length() && depth > 0; end++) {
            char c = text.charAt(end);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        }
        String given = text.substring(afterKey + 1, end - 1);
        Matcher env = ENV_DEFAULT.matcher(given);
        if (env.matches()) {
            return new Use(where, env.group(1), env.group(2));
        }
        // a default made of another property (${marketbill.public-base-url}/binding) has no fixed value
        return new Use(where, null, given.contains("${") ? null : given);
    }

    private static void add(Map<String, List<Use>> keys, String key, Use use) {
        keys.computeIfAbsent(key, k -> new ArrayList<>()).add(use);
    }

    private static List<Property> dependencies(ClassLoader classpath, Path own) {
        List<Property> found = new ArrayList<>();
        try {
            for (URL url : Collections.list(classpath.getResources(METADATA))) {
                // the module's own target/classes is on its test classpath too
                if (!"file".equals(url.getProtocol()) || !Path.of(url.toURI()).equals(own)) {
                    try (InputStream in = url.openStream()) {
                        found.addAll(parse(in).values());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static Map<String, Property> readMetadata(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Property> parse(InputStream in) {
        Map<String, Property> properties = new LinkedHashMap<>();
        for (JsonNode p : JsonMapper.builder().build().readTree(in).path("properties")) {
            String name = p.path("name").asString();
            properties.put(name, new Property(name, p.path("type").asString(null),
                    p.path("description").asString(null), text(p.get("defaultValue")), p.has("sourceType")));
        }
        return properties;
    }

    /** A default as the YAML would spell it: 4, false, a, b. */
    private static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(v.asString()));
            return String.join(",", items);
        }
        return value.asString().strip();
    }
}

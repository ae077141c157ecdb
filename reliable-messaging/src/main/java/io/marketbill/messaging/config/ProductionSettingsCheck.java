package io.marketbill.messaging.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.Profiles;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * With the {@code prod} profile, stops every service at start while a setting breaks one of
 * {@link ProductionSettings}' rules, naming the settings and never their values. Every service gets it from this jar
 * ({@code META-INF/spring.factories}); each lists the settings it cannot run without in
 * {@code marketbill.secrets.required}, and every secret, identity and marketplace setting it has is checked by its
 * name, so a new one is checked without being listed.
 *
 * <p>An environment post-processor rather than a bean: it runs once the configuration is read and before the context
 * exists, so a placeholder password never reaches the database, and a misconfigured service fails the same way
 * whether or not its database and broker are reachable.
 */
public class ProductionSettingsCheck implements EnvironmentPostProcessor, Ordered {

    /** A whole YAML value that reads an environment variable: {@code ${DB_PASSWORD:}}. */
    private static final Pattern FROM_ENV = Pattern.compile("^\\$\\{([A-Z][A-Z0-9_]*)(:.*)?}$", Pattern.DOTALL);

    @Override
    public int getOrder() {
        // after the configuration files and profiles are read (ConfigDataEnvironmentPostProcessor)
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        check(environment);
    }

    /** Throws, naming every problem, when the prod profile is active and a setting breaks a rule. */
    static void check(ConfigurableEnvironment environment) {
        if (!environment.acceptsProfiles(Profiles.of("prod"))) {
            return;
        }
        List<String> required = Arrays.stream(environment.getProperty("marketbill.secrets.required", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<String> simulatorHosts = new ArrayList<>();
        for (String url : new String[] {value(environment, "simulator.public-url"), value(environment, "SIMULATOR_URL")}) {
            String host = url == null ? null : ProductionSettings.host(url);
            if (host != null) {
                simulatorHosts.add(host);
            }
        }
        List<String> problems = ProductionSettings.problems(settings(environment, required), required, simulatorHosts);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start with the prod profile: " + String.join("; ", problems)
                    + ". Set them from the environment or a secret store (values are not shown).");
        }
    }

    /**
     * Every setting of the service: the names its configuration files (and the command line, system properties and
     * test properties) give, with their values as resolved, and the environment variables that set
     * {@code spring.*}, {@code server.*} or {@code marketbill.*} settings on their own (e.g.
     * {@code MARKETBILL_AWS_ACCOUNTS_EU_SECRETACCESSKEY}). Other environment variables are not the service's
     * settings unless its YAML reads them, and then they are checked under the YAML's name.
     */
    static List<ProductionSettings.Setting> settings(ConfigurableEnvironment environment, List<String> required) {
        Map<String, ProductionSettings.Setting> settings = new LinkedHashMap<>();
        List<String> envNames = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            // "configurationProperties" is every other source again, under Boot's names
            if (!(source instanceof EnumerablePropertySource<?> names) || "configurationProperties".equals(source.getName())) {
                continue;
            }
            for (String name : names.getPropertyNames()) {
                if (isEnvironmentStyle(name)) {
                    // only the environment's variables bind by relaxed names; elsewhere FOO_BAR is no setting
                    if (source instanceof SystemEnvironmentPropertySource) {
                        envNames.add(name);
                    }
                    continue;
                }
                if (!ours(name)) {
                    continue;
                }
                String key = ProductionSettings.key(name);
                ProductionSettings.Setting known = settings.get(key);
                String env = fromEnv(source.getProperty(name));
                if (known == null) {
                    settings.put(key, new ProductionSettings.Setting(name, env, value(environment, name)));
                } else if (known.env() == null && env != null) {
                    settings.put(key, new ProductionSettings.Setting(known.name(), env, known.value()));
                }
            }
        }
        for (String name : envNames) {
            String key = ProductionSettings.key(name);
            if (ours(name) && !settings.containsKey(key)) {
                settings.put(key, new ProductionSettings.Setting(name, null, value(environment, name)));
            }
        }
        for (String name : required) {
            settings.putIfAbsent(ProductionSettings.key(name),
                    new ProductionSettings.Setting(name, null, value(environment, name)));
        }
        return List.copyOf(settings.values());
    }

    private static boolean isEnvironmentStyle(String name) {
        return name.indexOf('.') < 0 && name.equals(name.toUpperCase(Locale.ROOT));
    }

    private static boolean ours(String name) {
        String k = name.toLowerCase(Locale.ROOT);
        return k.startsWith("spring") || k.startsWith("server") || k.startsWith("marketbill")
                || k.startsWith("management");
    }

    private static String fromEnv(Object raw) {
        if (raw == null) {
            return null;
        }
        Matcher m = FROM_ENV.matcher(raw.toString().strip());
        return m.matches() ? m.group(1) : null;
    }

    /** The resolved value; null when unset or when it names a setting that is missing (not this check's concern). */
    private static String value(ConfigurableEnvironment environment, String name) {
        try {
            return environment.getProperty(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

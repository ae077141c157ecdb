package io.marketbill.messaging.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules the {@code prod} profile holds every service's settings to (no Spring here: {@link ProductionSettingsCheck}
 * collects the settings from the environment). A problem names the setting, and the environment variable it is read
 * from when there is one, never its value: the message ends up in logs and in the orchestrator's events.
 *
 * <ul>
 *   <li>A required setting ({@code marketbill.secrets.required}) must be set.</li>
 *   <li>A secret (a setting whose name ends in secret, password, key, token, credentials, jaas-config or key-sha256,
 *       see {@link #isSecret}) that is set must not be a value committed in this repository ({@link #COMMITTED}),
 *       must not contain {@code replace}, {@code example} or {@code changeme}, and, where the vendor generates it,
 *       must be at least {@value #MIN_GENERATED_LENGTH} characters ({@link #needsLength}).</li>
 *   <li>The identity provider (JWKS, issuer, login URL) must not be a development login: the simulator's
 *       {@code /dev-login}, a loopback host or the simulator's host.</li>
 *   <li>No marketplace endpoint or reconciliation record may be the simulator (its host, a loopback host or its
 *       {@code /sim/} paths), and the simulator's SNS test CA is not trusted.</li>
 * </ul>
 */
public final class ProductionSettings {

    /**
     * One setting: its name (a property name, or an environment variable's when only the environment has it), the
     * environment variable the service's YAML reads it from (null: none), and its value (null: unset).
     */
    public record Setting(String name, String env, String value) {

        String shown() {
            return env == null || env.equalsIgnoreCase(name) ? name : name + " (env " + env + ")";
        }

        @Override
        public String toString() {
            // the value is the one thing a setting must never show
            return "Setting[" + shown() + "]";
        }
    }

    /**
     * Secrets the vendor generates itself (HMAC keys, shared secrets, API keys, database passwords it sets) can be
     * as long as wanted: 32 characters is what {@code openssl rand -base64 24} gives.
     */
    public static final int MIN_GENERATED_LENGTH = 32;

    /**
     * Every secret value committed in this repository, refused exactly: the local stack's and the tests' defaults
     * (the services' application.yml, their test resources, deploy/local's LocalStack and StackConfig, the
     * simulator's application.yml), the Kubernetes manifests' placeholders (deploy/k8s/base/kustomization.yaml), and
     * the local usage producer's key and its SHA-256 (gateway-service application.yml, the development overlay). Most are also caught by the
     * other rules; this list catches them where a rule does not apply (a password has no length rule) and where a
     * value is long enough ({@code test-login-ticket-secret-0123456789}). ProductionSettingsTest holds it to the
     * repository's files.
     */
    public static final Set<String> COMMITTED = Set.of(
            "replace-from-your-secret-store", "replace-with-the-sha256-of-the-platform-api-key",
            "local-spi-key", "local-login-ticket-secret", "local-notification-link-secret", "local-api-key",
            "local-aws-key", "local-aws-secret", "local-eventbridge-key", "local-aliyun-key", "local-aliyun-secret",
            "local-usage-key", "b4a071f26191d69183e06b0f2e8a4fddaa366e7e571657fb0cd3c9e94835e6bf",
            // the development overlay's usage producer key hash (deploy/k8s/overlays/development)
            "38ef92daa81ae9ba96945e524f48cf2adea7b8db591e5c4f1e154c91924aedff",
            "test-spi-key", "test-login-ticket-secret-0123456789",
            // the services' development clients at the simulator's /dev-login and the test identity provider's
            "dev-gateway-client-secret-for-the-local-stack", "dev-binding-client-secret-for-the-local-stack",
            "dev-billing-client-secret-for-the-local-stack",
            "test-service-secret-of-the-test-identity-provider",
            "marketbill", "postgres", "archive", "changeme", "secret", "password");

    /** Words that only placeholders contain ("replace-from-your-secret-store", "wJalr…EXAMPLEKEY", "changeme"). */
    static final List<String> PLACEHOLDER_WORDS = List.of("replace", "example", "changeme");

    /** The marketplace simulator's Kubernetes Service and compose host name (deploy/k8s, deploy/compose.yaml). */
    static final String SIMULATOR_HOST = "marketplace-simulator";

    private ProductionSettings() {
    }

    /**
     * The problems of these settings, in their order; empty when the service may start.
     *
     * @param settings       every setting the service has (values resolved)
     * @param required       names that must be set
     * @param simulatorHosts further host names the simulator is reached at (from its own URL, when configured)
     */
    public static List<String> problems(Collection<Setting> settings, Collection<String> required,
                                        Collection<String> simulatorHosts) {
        Map<String, Setting> byKey = new LinkedHashMap<>();
        settings.forEach(s -> byKey.putIfAbsent(key(s.name()), s));
        List<String> problems = new ArrayList<>();
        for (String name : required) {
            Setting s = byKey.get(key(name));
            if (s == null || blank(s.value())) {
                problems.add((s == null ? name : s.shown()) + " is not set");
            }
        }
        // several settings may read one variable (binding-service's identity-check.* beside Spring's): said once
        Set<String> said = new java.util.HashSet<>();
        for (Setting s : byKey.values()) {
            if (blank(s.value())) {
                continue;
            }
            String problem = problem(s.name(), s.value(), simulatorHosts);
            if (problem != null && (s.env() == null || said.add(s.env() + " " + problem))) {
                problems.add(s.shown() + " " + problem);
            }
        }
        return problems;
    }

    /** What is wrong with one set value, or null; never mentions the value. */
    static String problem(String name, String value, Collection<String> simulatorHosts) {
        if (isSecret(name)) {
            if (COMMITTED.contains(value.strip())) {
                return "is a value committed in the repository (a development default or a placeholder)";
            }
            String lower = value.toLowerCase(Locale.ROOT);
            for (String word : PLACEHOLDER_WORDS) {
                if (lower.contains(word)) {
                    return "is a placeholder (it contains \"" + word + "\")";
                }
            }
            if (needsLength(name) && value.strip().length() < MIN_GENERATED_LENGTH) {
                return "is shorter than " + MIN_GENERATED_LENGTH + " characters";
            }
            return null;
        }
        if (isIdentityUrl(name) && (value.toLowerCase(Locale.ROOT).contains("/dev-login")
                || developmentHost(value, simulatorHosts))) {
            return "is a development login (the simulator's /dev-login, a loopback host or the simulator's host), "
                    + "not an identity provider";
        }
        if (isSimulatorTrust(name)) {
            return "trusts the marketplace simulator's test CA: leave it unset in production";
        }
        if (isMarketplaceEndpoint(name) && (value.contains("/sim/") || developmentHost(value, simulatorHosts))) {
            return "points at the marketplace simulator (its host, a loopback host or a /sim/ path), not a "
                    + "marketplace";
        }
        return null;
    }

    /**
     * A secret by its name: a property or environment variable whose name ends in secret, password, key, token,
     * credentials, jaas-config or key-sha256 (a usage producer's key hash). Access key ids are not secrets (their
     * secrets are), nor is {@code marketbill.secrets.required}, the list of names.
     */
    public static boolean isSecret(String name) {
        String k = key(name);
        if (k.startsWith("marketbillsecrets")) {
            return false;
        }
        return k.endsWith("secret") || k.endsWith("password") || k.endsWith("passwd") || k.endsWith("key")
                || k.endsWith("token") || k.endsWith("credentials") || k.endsWith("jaasconfig")
                || k.endsWith("keysha256");
    }

    /**
     * Whether a secret must be {@value #MIN_GENERATED_LENGTH}+ characters: those the vendor generates. Not the ones
     * someone else issues at a length the vendor does not choose: passwords (the SMTP provider's, the mail
     * archive's, the database's where a DBA sets it), Alibaba's AccessKey secrets (30 characters), the SPI key of
     * Alibaba's seller console, and JAAS configurations (a password inside a line of text).
     */
    static boolean needsLength(String name) {
        String k = key(name);
        return !(k.endsWith("password") || k.endsWith("passwd") || k.endsWith("accesskeysecret")
                || k.endsWith("spikey") || k.endsWith("jaasconfig"));
    }

    /**
     * The identity provider: Spring Security's OAuth2 URIs, the token endpoint of a service's own client
     * ({@code marketbill.security.client.token-uri}) and {@code marketbill.identity*} URLs and issuers.
     */
    static boolean isIdentityUrl(String name) {
        String k = key(name);
        return (k.startsWith("springsecurityoauth2") && (k.endsWith("uri") || k.endsWith("url")))
                || (k.startsWith("marketbillsecurityclient") && k.endsWith("uri"))
                || (k.startsWith("marketbillidentity")
                && (k.endsWith("uri") || k.endsWith("url") || k.endsWith("issuer")));
    }

    /**
     * A marketplace endpoint: any {@code marketbill.*endpoint} (ALIYUN_MARKET_ENDPOINT, AWS_METERING_ENDPOINT,
     * AWS_CN_METERING_ENDPOINT, in the gateway and billing-service) and the reconciliation records.
     */
    static boolean isMarketplaceEndpoint(String name) {
        String k = key(name);
        return (k.startsWith("marketbill") && k.endsWith("endpoint"))
                || (k.startsWith("marketbillbillingreconciliation") && k.endsWith("record"));
    }

    /** {@code marketbill.aws.sns.test-ca-pem} and {@code test-cert-hosts}: the simulator's certificates. */
    static boolean isSimulatorTrust(String name) {
        String k = key(name);
        return k.startsWith("marketbill") && (k.endsWith("snstestcapem") || k.endsWith("snstestcerthosts"));
    }

    /** A loopback host, the simulator's host name (any namespace's), or one of the given simulator hosts. */
    static boolean developmentHost(String url, Collection<String> simulatorHosts) {
        String host = host(url);
        if (host == null) {
            return false;
        }
        return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
                || host.equals("::1") || host.equals("[::1]") || host.equals("0.0.0.0")
                || host.equals(SIMULATOR_HOST) || host.startsWith(SIMULATOR_HOST + ".")
                || simulatorHosts.stream().anyMatch(h -> h.equalsIgnoreCase(host));
    }

    /** The host of a URL, lower case; null for none. */
    static String host(String url) {
        try {
            String host = URI.create(url.strip()).getHost();
            return host == null ? null : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * A name as relaxed binding matches it: {@code spring.datasource.password}, {@code SPRING_DATASOURCE_PASSWORD}
     * and {@code marketbill.usage.producers[0].key-sha256} / {@code MARKETBILL_USAGE_PRODUCERS_0_KEYSHA256} are one.
     */
    static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

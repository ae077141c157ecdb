package io.marketbill.localstack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Ports, folders and secrets of the local stack, each from an environment variable (or a system property
 * of the same name) with a default. Only here does the Alibaba SPI key default to {@code local-spi-key}.
 */
public record StackConfig(
        Path home,
        Path dataDir,
        String host,
        int gatewayPort,
        int subscriptionPort,
        int bindingPort,
        int billingPort,
        int notificationPort,
        int simulatorPort,
        int kafkaPort,
        int kafkaControllerPort,
        int pgPort,
        String pgUrl,
        String pgUser,
        String pgPassword,
        int smtpPort,
        int imapPort,
        String aliyunSpiKey,
        String loginTicketSecret,
        Path productsFile,
        String simulatorRetryInterval,
        String serviceJavaOpts,
        Map<String, Integer> managementPorts,
        Map<String, String> closeGraces) {

    /**
     * The products file's close timings, which demos and system tests shorten so that a close action is reached:
     * the switch grace after a close (R15), the deletion grace of stopped deployments (R12) and the reminder before
     * it. Unset, the products file's defaults hold (1h, 3d, 1d).
     */
    public static final java.util.List<String> CLOSE_GRACE_SETTINGS = java.util.List.of("SWITCH_GRACE",
            "DELETION_GRACE", "DELETION_REMINDER");

    /**
     * Each service's management port (actuator: health details, Prometheus, info), by service, and the variable
     * that moves it; the service's own port keeps only the probes {@code /livez} and {@code /readyz}.
     */
    public static final Map<String, String> MANAGEMENT_PORT_SETTINGS = orderedMap(
            "gateway-service", "GATEWAY_MANAGEMENT_PORT",
            "subscription-service", "SUBSCRIPTION_SERVICE_MANAGEMENT_PORT",
            "binding-service", "BINDING_SERVICE_MANAGEMENT_PORT",
            "billing-service", "BILLING_SERVICE_MANAGEMENT_PORT",
            "notification-service", "NOTIFICATION_SERVICE_MANAGEMENT_PORT");

    /** Every port setting of the stack, for runs that must not collide with a stack already running. */
    public static final java.util.List<String> PORT_SETTINGS = java.util.List.of("GATEWAY_PORT",
            "SUBSCRIPTION_SERVICE_PORT", "BINDING_SERVICE_PORT", "BILLING_SERVICE_PORT", "NOTIFICATION_SERVICE_PORT",
            "SIMULATOR_PORT", "KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "PG_PORT", "SMTP_PORT", "IMAP_PORT",
            "GATEWAY_MANAGEMENT_PORT", "SUBSCRIPTION_SERVICE_MANAGEMENT_PORT", "BINDING_SERVICE_MANAGEMENT_PORT",
            "BILLING_SERVICE_MANAGEMENT_PORT", "NOTIFICATION_SERVICE_MANAGEMENT_PORT");

    /** A free port of this machine right now. */
    public static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Adds a fresh data folder and free ports to {@code env}, unless they are set already. */
    public static Map<String, String> onFreePorts(Map<String, String> env, String dataPrefix) throws java.io.IOException {
        env.putIfAbsent("DATA_DIR", java.nio.file.Files.createTempDirectory(dataPrefix).toString());
        for (String name : PORT_SETTINGS) {
            env.putIfAbsent(name, Integer.toString(freePort()));
        }
        return env;
    }

    public static StackConfig fromEnvironment(Path home) {
        return from(home, name -> System.getProperty(name, System.getenv(name)));
    }

    public static StackConfig from(Path home, Function<String, String> env) {
        Function<String, String> get = name -> {
            String v = env.apply(name);
            return v == null || v.isBlank() ? null : v;
        };
        return new StackConfig(
                home,
                Path.of(or(get.apply("DATA_DIR"), home.resolve("deploy/local/data").toString())).toAbsolutePath(),
                or(get.apply("BIND_ADDRESS"), "127.0.0.1"),
                port(get, "GATEWAY_PORT", 8080),
                port(get, "SUBSCRIPTION_SERVICE_PORT", 8081),
                port(get, "BINDING_SERVICE_PORT", 8082),
                port(get, "BILLING_SERVICE_PORT", 8083),
                port(get, "NOTIFICATION_SERVICE_PORT", 8084),
                port(get, "SIMULATOR_PORT", 8090),
                port(get, "KAFKA_PORT", 9092),
                port(get, "KAFKA_CONTROLLER_PORT", 9093),
                port(get, "PG_PORT", 15432),
                get.apply("PG_URL"),
                or(get.apply("PG_USER"), "postgres"),
                or(get.apply("PG_PASSWORD"), "postgres"),
                port(get, "SMTP_PORT", 3025),
                port(get, "IMAP_PORT", 3143),
                or(get.apply("ALIYUN_SPI_KEY"), "local-spi-key"),
                or(get.apply("LOGIN_TICKET_SECRET"), "local-login-ticket-secret"),
                Path.of(or(get.apply("PRODUCTS_FILE"), home.resolve("deploy/local/products.yml").toString()))
                        .toAbsolutePath(),
                or(get.apply("SIMULATOR_ALIYUN_RETRY_INTERVAL"), "2s"),
                or(get.apply("SERVICE_JAVA_OPTS"), "-Xms64m -Xmx384m -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1"),
                managementPorts(get),
                closeGraces(get));
    }

    /** Each close timing set, checked to be a duration the services read (e.g. 30s, 2m, 1h, 3d). */
    private static Map<String, String> closeGraces(Function<String, String> get) {
        Map<String, String> graces = new LinkedHashMap<>();
        for (String name : CLOSE_GRACE_SETTINGS) {
            String v = get.apply(name);
            if (v == null) {
                continue;
            }
            if (!v.strip().matches("[1-9][0-9]*(ms|s|m|h|d)")) {
                throw new IllegalArgumentException(name + " must be a duration such as 30s, 5m, 1h or 3d, not '"
                        + v + "'");
            }
            graces.put(name, v.strip());
        }
        // binding-service refuses a reminder that is not before the deletion: say so here, naming both settings
        if (duration(graces.getOrDefault("DELETION_REMINDER", DEFAULT_CLOSE_TIMINGS.get("DELETION_REMINDER")))
                .compareTo(duration(graces.getOrDefault("DELETION_GRACE", DEFAULT_CLOSE_TIMINGS.get("DELETION_GRACE"))))
                >= 0) {
            throw new IllegalArgumentException("DELETION_REMINDER must be shorter than DELETION_GRACE (default "
                    + DEFAULT_CLOSE_TIMINGS.get("DELETION_GRACE") + "): the reminder comes that long before the "
                    + "deletion, after the stop");
        }
        return java.util.Collections.unmodifiableMap(graces);
    }

    /** The products file's defaults of the close timings (deploy/local/products.yml). */
    static final Map<String, String> DEFAULT_CLOSE_TIMINGS = orderedMap("SWITCH_GRACE", "1h", "DELETION_GRACE", "3d",
            "DELETION_REMINDER", "1d");

    /** A close timing as the services read it: set, or the products file's default. */
    public java.time.Duration closeTiming(String name) {
        String v = closeGraces.getOrDefault(name, DEFAULT_CLOSE_TIMINGS.get(name));
        if (v == null) {
            throw new IllegalArgumentException("no close timing " + name + "; one of " + CLOSE_GRACE_SETTINGS);
        }
        return duration(v);
    }

    /** 30s, 5m, 1h, 3d, 500ms: the forms {@link #closeGraces} accepts. */
    static java.time.Duration duration(String v) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h|d)").matcher(v.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + v);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
    }

    /** The services' defaults: their own port + 100 (8180 for the gateway's 8080, ...). */
    private static Map<String, Integer> managementPorts(Function<String, String> get) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        int d = 8180;
        for (Map.Entry<String, String> e : MANAGEMENT_PORT_SETTINGS.entrySet()) {
            ports.put(e.getKey(), port(get, e.getValue(), d++));
        }
        return java.util.Collections.unmodifiableMap(ports);
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The management port of a service (not the simulator's: it has none of its own). */
    public int managementPort(String service) {
        Integer p = managementPorts.get(service);
        if (p == null) {
            throw new IllegalArgumentException("no management port for " + service);
        }
        return p;
    }

    private static String or(String v, String d) {
        return v == null ? d : v;
    }

    private static int port(Function<String, String> get, String name, int d) {
        String v = get.apply(name);
        if (v == null) {
            return d;
        }
        try {
            int p = Integer.parseInt(v.strip());
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + " is not a port number");
        }
    }

    public String kafkaBootstrap() {
        return host + ":" + kafkaPort;
    }

    public String url(int port) {
        return "http://" + host + ":" + port;
    }

    /** The simulator's development login, which plays the vendor's identity provider. */
    public String identityIssuer() {
        return url(simulatorPort) + "/dev-login";
    }

    public String identityJwkSetUri() {
        return identityIssuer() + "/jwks.json";
    }

    /** Every port the stack will listen on, by the variable that sets it (PostgreSQL only when embedded). */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("GATEWAY_PORT", gatewayPort);
        ports.put("SUBSCRIPTION_SERVICE_PORT", subscriptionPort);
        ports.put("BINDING_SERVICE_PORT", bindingPort);
        ports.put("BILLING_SERVICE_PORT", billingPort);
        ports.put("NOTIFICATION_SERVICE_PORT", notificationPort);
        ports.put("SIMULATOR_PORT", simulatorPort);
        ports.put("KAFKA_PORT", kafkaPort);
        ports.put("KAFKA_CONTROLLER_PORT", kafkaControllerPort);
        if (pgUrl == null) {
            ports.put("PG_PORT", pgPort);
        }
        ports.put("SMTP_PORT", smtpPort);
        ports.put("IMAP_PORT", imapPort);
        MANAGEMENT_PORT_SETTINGS.forEach((service, variable) -> ports.put(variable, managementPorts.get(service)));
        return ports;
    }

    @Override
    public String toString() {
        return "StackConfig[home=" + home + ", dataDir=" + dataDir + ", ports=" + ports() + ", secrets hidden]";
    }
}

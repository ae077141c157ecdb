package io.marketbill.localstack;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The whole system on one machine, no Docker: PostgreSQL (zonky, persistent data folder, or {@code PG_URL}),
 * GreenMail (SMTP and IMAP), a single-node KRaft broker from Kafka's own jars, and the five services, each
 * in its own JVM. {@code up} stays in the foreground until Ctrl-C; {@code status} reports health.
 */
public final class LocalStack implements AutoCloseable {

    /** In start order: the simulator before the gateway, which trusts its SNS certificate authority. */
    public static final List<String> SERVICES = List.of("subscription-service", "binding-service", "billing-service",
            "notification-service", "marketplace-simulator", "gateway-service");

    /** The demo users of the seed stories: offered on the development login page, seeded by binding-service. */
    public static final List<String> DEMO_USERS = List.of("u-alice", "u-bob", "u-carol", "u-dave", "u-erin");

    private final StackConfig config;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private EmbeddedPostgres postgres;
    private GreenMail mail;
    private final List<ServiceProcess> replicas = new java.util.ArrayList<>();
    public static final String MAIL_ARCHIVE = "archive@marketbill.local";
    private ServiceProcess kafka;
    private String dbUrl;

    public LocalStack(StackConfig config) {
        this.config = config;
    }

    public StackConfig config() {
        return config;
    }

    public ServiceProcess service(String name) {
        ServiceProcess p = services.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        return p;
    }

    public ServiceProcess kafka() {
        return kafka;
    }

    public String dbUrl() {
        return dbUrl;
    }

    /** Starts everything and waits until every service is ready; returns the seconds it took. */
    public double start() throws Exception {
        return start(SERVICES);
    }

    public double start(List<String> which) throws Exception {
        long t0 = System.nanoTime();
        Map<String, Integer> ports = new LinkedHashMap<>(config.ports());
        ports.keySet().removeIf(k -> k.endsWith("_SERVICE_PORT") && !which.contains(serviceOfPortVariable(k))
                || k.equals("GATEWAY_PORT") && !which.contains("gateway-service")
                || k.equals("SIMULATOR_PORT") && !which.contains("marketplace-simulator")
                || StackConfig.MANAGEMENT_PORT_SETTINGS.entrySet().stream()
                        .anyMatch(e -> e.getValue().equals(k) && !which.contains(e.getKey())));
        Ports.requireFree(config.host(), ports);
        Files.createDirectories(config.dataDir());
        startPostgres();
        ready(t0, "postgresql", dbUrl);
        startMail();
        ready(t0, "greenmail", "smtp " + config.host() + ":" + config.smtpPort() + ", imap " + config.host() + ":"
                + config.imapPort());
        startKafka();
        ready(t0, "kafka", config.kafkaBootstrap());
        List<ServiceProcess> waiting = new java.util.ArrayList<>();
        for (String name : which) {
            if (name.equals("gateway-service") && which.contains("marketplace-simulator")) {
                // the gateway trusts the simulator's SNS CA, so it needs the CA's certificate first
                awaitReady(t0, waiting, List.of(services.get("marketplace-simulator")));
                fetchSimulatorCa();
            }
            ServiceProcess p = serviceProcess(name);
            services.put(name, p);
            p.start();
            waiting.add(p);
        }
        awaitReady(t0, waiting, waiting);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** One line per component as it becomes ready, so a slow start shows where it is. */
    private static void ready(long t0, String component, String where) {
        System.out.printf("%-22s ready after %5.1f s  %s%n", component, (System.nanoTime() - t0) / 1e9, where);
    }

    /**
     * Waits until every process of {@code until} is ready, announcing each of {@code waiting} as it gets there, in
     * the order they do; a process that dies fails at once with the end of its log.
     */
    private static void awaitReady(long t0, List<ServiceProcess> waiting, List<ServiceProcess> until)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (true) {
            for (java.util.Iterator<ServiceProcess> it = waiting.iterator(); it.hasNext(); ) {
                ServiceProcess p = it.next();
                if (p.checkReady()) {
                    ready(t0, p.name(), p.readinessUrl().replace("/readyz", ""));
                    it.remove();
                }
            }
            if (until.stream().noneMatch(waiting::contains)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                ServiceProcess late = until.stream().filter(waiting::contains).findFirst().orElseThrow();
                throw new IllegalStateException(late.name() + " not ready within 180 s; last lines of " + late.log()
                        + ":\n" + late.tail(40));
            }
            Thread.sleep(250);
        }
    }

    private Path simulatorCa() {
        return config.dataDir().resolve("simulator-sns-ca.pem");
    }

    private void fetchSimulatorCa() throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(config.url(config.simulatorPort())
                        + "/sim/aws/ca.pem")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the simulator did not hand out its CA: " + r.statusCode());
        }
        Files.writeString(simulatorCa(), r.body());
    }

    private static String serviceOfPortVariable(String variable) {
        return variable.replace("_SERVICE_PORT", "").toLowerCase() + "-service";
    }

    private void startPostgres() throws IOException, SQLException {
        String adminUrl;
        if (config.pgUrl() != null) {
            adminUrl = config.pgUrl();
        } else {
            Path dir = config.dataDir().resolve("postgres");
            Files.createDirectories(dir);
            postgres = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                    .setPort(config.pgPort()).start();
            adminUrl = postgres.getJdbcUrl("postgres", "postgres");
        }
        try (Connection c = DriverManager.getConnection(adminUrl, config.pgUser(), config.pgPassword());
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'marketbill'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE marketbill");
                }
            }
        }
        int q = adminUrl.indexOf('?');
        String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
        dbUrl = base.substring(0, base.lastIndexOf('/') + 1) + "marketbill" + (q < 0 ? "" : adminUrl.substring(q));
    }

    private void startMail() {
        mail = new GreenMail(new ServerSetup[] {
                new ServerSetup(config.smtpPort(), config.host(), ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(config.imapPort(), config.host(), ServerSetup.PROTOCOL_IMAP)});
        mail.start();
        // the vendor's archive mailbox: a blind copy of every mail, read back after an interrupted send
        mail.setUser(MAIL_ARCHIVE, MAIL_ARCHIVE, "archive");
    }

    /** The local SMTP/IMAP server, for tests and benchmarks that count what was delivered. */
    public GreenMail mailServer() {
        return mail;
    }

    private void startKafka() throws Exception {
        Path dir = config.dataDir().resolve("kafka");
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "# written by the local stack at every start",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + config.host() + ":" + config.kafkaControllerPort(),
                "listeners=PLAINTEXT://" + config.host() + ":" + config.kafkaPort() + ",CONTROLLER://" + config.host()
                        + ":" + config.kafkaControllerPort(),
                "advertised.listeners=PLAINTEXT://" + config.host() + ":" + config.kafkaPort(),
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logs,
                "num.partitions=6",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "min.insync.replicas=1",
                "default.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                "") + "\n");
        String classpath = config.home().resolve("deploy/kafka-broker/target/lib").toString() + "/*";
        String kafkaOpts = System.getenv().getOrDefault("KAFKA_JAVA_OPTS", "-Xms128m -Xmx512m -XX:+UseSerialGC");
        if (!Files.exists(logs.resolve("meta.properties"))) {
            // Kafka's own generator: a random base64 id can start with '-', which the storage tool then reads as
            // an option (one start in 64 failed with "argument --cluster-id: expected one argument")
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            List<String> format = ServiceProcess.java(kafkaOpts, "-cp", classpath, "kafka.tools.StorageTool",
                    "format", "--cluster-id=" + clusterId, "-c", props.toString());
            Process p = new ProcessBuilder(format).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir().resolve("kafka-format.log").toFile()))
                    .start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed; see " + logDir().resolve("kafka-format.log"));
            }
        }
        kafka = new ServiceProcess("kafka", ServiceProcess.java(kafkaOpts,
                "-Dlog4j2.level=WARN", "-cp", classpath, "kafka.Kafka", props.toString()), Map.of(),
                logDir().resolve("kafka.log"), null, config.kafkaPort());
        kafka.start();
        kafka.awaitReady(Duration.ofSeconds(90));
    }

    private Path logDir() throws IOException {
        Path d = config.dataDir().resolve("logs");
        Files.createDirectories(d);
        return d;
    }

    /**
     * Starts another instance of a service on {@code port}, with the same database and broker (the scale-out
     * test); it is stopped with the stack.
     */
    public ServiceProcess startReplica(String name, int port) throws Exception {
        ServiceProcess p = serviceProcess(name, port);
        replicas.add(p);
        p.start();
        p.awaitReady(Duration.ofSeconds(180));
        return p;
    }

    private ServiceProcess serviceProcess(String name) throws IOException {
        return serviceProcess(name, -1);
    }

    private ServiceProcess serviceProcess(String name, int replicaPort) throws IOException {
        int defaultPort = switch (name) {
            case "gateway-service" -> config.gatewayPort();
            case "subscription-service" -> config.subscriptionPort();
            case "binding-service" -> config.bindingPort();
            case "billing-service" -> config.billingPort();
            case "notification-service" -> config.notificationPort();
            case "marketplace-simulator" -> config.simulatorPort();
            default -> throw new IllegalArgumentException(name);
        };
        int port = replicaPort > 0 ? replicaPort : defaultPort;
        Path jar = config.home().resolve("deploy/local/target/services/" + name + "-exec.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (deploy/local/stack up builds what is missing)");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BIND_ADDRESS", config.host());
        env.put("KAFKA_BOOTSTRAP_SERVERS", config.kafkaBootstrap());
        env.put("DB_URL", dbUrl);
        env.put("DB_USER", config.pgUser());
        env.put("DB_PASSWORD", config.pgPassword());
        env.put("GATEWAY_PORT", Integer.toString(config.gatewayPort()));
        env.put("SUBSCRIPTION_SERVICE_PORT", Integer.toString(config.subscriptionPort()));
        env.put("BINDING_SERVICE_PORT", Integer.toString(config.bindingPort()));
        env.put("BILLING_SERVICE_PORT", Integer.toString(config.billingPort()));
        env.put("NOTIFICATION_SERVICE_PORT", Integer.toString(config.notificationPort()));
        StackConfig.MANAGEMENT_PORT_SETTINGS.forEach((service, variable) ->
                env.put(variable, Integer.toString(config.managementPort(service))));
        env.put("SUBSCRIPTION_SERVICE_URL", config.url(config.subscriptionPort()));
        env.put("BINDING_SERVICE_URL", config.url(config.bindingPort()));
        env.put("BILLING_SERVICE_URL", config.url(config.billingPort()));
        env.put("NOTIFICATION_SERVICE_URL", config.url(config.notificationPort()));
        env.put("PUBLIC_BASE_URL", System.getenv().getOrDefault("PUBLIC_BASE_URL", config.url(config.gatewayPort())));
        env.put("ALIYUN_SPI_KEY", config.aliyunSpiKey());
        env.put("LOGIN_TICKET_SECRET", config.loginTicketSecret());
        // short close timings for demos and system tests; the products file reads them
        env.putAll(config.closeGraces());
        // the vendor's products, one file for every service
        env.put("SPRING_CONFIG_ADDITIONAL_LOCATION", "file:" + config.productsFile());
        // AWS: locally, the simulator is AWS (its endpoints, its credentials, its SNS CA)
        env.put("SIMULATOR_PORT", Integer.toString(config.simulatorPort()));
        env.put("SIMULATOR_URL", config.url(config.simulatorPort()));
        env.put("SIMULATOR_GATEWAY_URL", config.url(config.gatewayPort()));
        env.put("SIMULATOR_ALIYUN_RETRY_INTERVAL", config.simulatorRetryInterval());
        env.put("SIMULATOR_ALIYUN_SPI_URL", config.url(config.gatewayPort()) + "/marketplace/aliyun/spi");
        env.put("AWS_REGION", "cn-northwest-1");
        env.put("AWS_ACCESS_KEY_ID", "local-aws-key");
        env.put("AWS_SECRET_ACCESS_KEY", "local-aws-secret");
        env.put("AWS_METERING_ENDPOINT", config.url(config.simulatorPort()));
        env.put("AWS_SNS_TOPIC_ARNS", "arn:aws-cn:sns:cn-northwest-1:000000000000:aws-mp-subscription-notification-local");
        env.put("AWS_EVENTBRIDGE_SECRET", "local-eventbridge-key");
        if (name.equals("gateway-service") && Files.exists(simulatorCa())) {
            env.put("MARKETBILL_AWS_SNS_TESTCAPEM", simulatorCa().toString());
            env.put("MARKETBILL_AWS_SNS_TESTCERTHOSTS", config.host() + ":" + config.simulatorPort());
        }
        // who is calling: the simulator's development login plays the vendor's identity provider for every service,
        // and gives the gateway, binding- and billing-service tokens of their own (its development clients)
        env.put("IDENTITY_JWK_SET_URI", config.identityJwkSetUri());
        env.put("IDENTITY_ISSUER", config.identityIssuer());
        env.put("SERVICE_TOKEN_URI", config.identityIssuer() + "/oauth/token");
        if (name.equals("gateway-service") || name.equals("binding-service") || name.equals("billing-service")) {
            // the simulator's development clients (its simulator.identity.clients default)
            env.put("SERVICE_CLIENT_SECRET", "dev-" + name.substring(0, name.indexOf('-'))
                    + "-client-secret-for-the-local-stack");
        }
        if (name.equals("binding-service")) {
            env.put("IDENTITY_LOGIN_URL", config.identityIssuer());
            // the demo organizations and users of the seed stories (applied once; restarts add nothing)
            env.put("DIRECTORY_SEED_FILE", System.getenv().getOrDefault("DIRECTORY_SEED_FILE",
                    config.productsFile().resolveSibling("directory-seed.json").toString()));
        }
        if (name.equals("marketplace-simulator")) {
            env.put("SIMULATOR_IDENTITY_ISSUER", config.identityIssuer());
            // kept with the stack's data, so that tokens stay valid across restarts
            env.put("SIMULATOR_IDENTITY_KEY_LOCATION", config.dataDir().resolve("simulator-identity-key.pem").toString());
            env.put("SIMULATOR_IDENTITY_USERS", String.join(",", DEMO_USERS));
        }
        if (name.equals("billing-service")) {
            // locally, the simulator is both marketplaces: their metering APIs and their record of what they took
            env.put("ALIYUN_MARKET_ENDPOINT", config.url(config.simulatorPort()) + "/aliyun/market");
            env.put("ALIYUN_ACCESS_KEY_ID", "local-aliyun-key");
            env.put("ALIYUN_ACCESS_KEY_SECRET", "local-aliyun-secret");
            env.put("ALIYUN_METERING_RECORD_URL", config.url(config.simulatorPort()) + "/sim/aliyun/metering");
            env.put("AWS_METERING_RECORD_URL", config.url(config.simulatorPort()) + "/sim/aws/metering");
            // the demo and the fault test close the current hour instead of waiting for it to end
            env.put("BILLING_ALLOW_EARLY_CLOSE", "true");
        }
        if (name.equals("notification-service")) {
            env.put("MAIL_ARCHIVE_ADDRESS", MAIL_ARCHIVE);
            env.put("MAIL_ARCHIVE_IMAP_HOST", config.host());
            env.put("MAIL_ARCHIVE_IMAP_PORT", Integer.toString(config.imapPort()));
            env.put("MAIL_ARCHIVE_PASSWORD", "archive");
            env.put("OPERATIONS_ADDRESSES", "ops@marketbill.local");
        }
        env.put("SMTP_HOST", config.host());
        env.put("SMTP_PORT", Integer.toString(config.smtpPort()));
        if (replicaPort > 0) {
            // a second instance: its own port, everything else shared
            String own = switch (name) {
                case "subscription-service" -> "SUBSCRIPTION_SERVICE_PORT";
                case "binding-service" -> "BINDING_SERVICE_PORT";
                case "billing-service" -> "BILLING_SERVICE_PORT";
                case "notification-service" -> "NOTIFICATION_SERVICE_PORT";
                case "gateway-service" -> "GATEWAY_PORT";
                default -> throw new IllegalArgumentException("no replicas of " + name);
            };
            env.put(own, Integer.toString(port));
            // and a management port of its own (the local Prometheus scrapes the first instance's only)
            env.put(StackConfig.MANAGEMENT_PORT_SETTINGS.get(name), Integer.toString(StackConfig.freePort()));
        }
        return new ServiceProcess(name, ServiceProcess.java(config.serviceJavaOpts(), "-jar", jar.toString()), env,
                logDir().resolve(name + (replicaPort > 0 ? "-" + port : "") + ".log"), config.url(port) + "/readyz", port);
    }

    /** Stops the broker (SIGTERM), for fault tests; {@link #startKafkaAgain()} brings it back with its data. */
    public void stopKafka() throws InterruptedException {
        kafka.stop(Duration.ofSeconds(30));
    }

    public void startKafkaAgain() throws Exception {
        kafka.start();
        kafka.awaitReady(Duration.ofSeconds(90));
    }

    /** Starts a service again after it stopped or was killed, and waits until it is ready. */
    public void restart(String name) throws Exception {
        ServiceProcess p = service(name);
        p.start();
        p.awaitReady(Duration.ofSeconds(180));
    }

    /** Resident memory of each process in MiB. */
    public Map<String, Long> residentMemoryMib() {
        Map<String, Long> rss = new LinkedHashMap<>();
        rss.put("launcher+greenmail", ServiceProcess.residentKib(ProcessHandle.current().pid()) / 1024);
        if (kafka != null) {
            rss.put("kafka", kafka.residentKib() / 1024);
        }
        services.forEach((n, p) -> rss.put(n, p.residentKib() / 1024));
        return rss;
    }

    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-22s %s%n", "gateway (public)", config.url(config.gatewayPort())));
        for (String n : SERVICES) {
            if (services.containsKey(n) && !n.equals("gateway-service")) {
                sb.append(String.format("%-22s %s%n", n, config.url(services.get(n).port())));
            }
        }
        StringBuilder management = new StringBuilder();
        StackConfig.MANAGEMENT_PORT_SETTINGS.keySet().stream().filter(services::containsKey)
                .forEach(n -> management.append(management.isEmpty() ? "" : " ").append(config.managementPort(n)));
        if (!management.isEmpty()) {
            sb.append(String.format("%-22s %s, ports %s (health details, /actuator/prometheus, info)%n", "management",
                    config.host(), management));
        }
        if (!config.closeGraces().isEmpty()) {
            sb.append(String.format("%-22s %s%n", "close timings", config.closeGraces()));
        }
        sb.append(String.format("%-22s %s%n", "kafka", config.kafkaBootstrap()));
        sb.append(String.format("%-22s %s%n", "postgresql", dbUrl));
        sb.append(String.format("%-22s smtp %s:%d, imap %s:%d%n", "greenmail", config.host(), config.smtpPort(),
                config.host(), config.imapPort()));
        sb.append(String.format("%-22s %s%n", "logs", config.dataDir().resolve("logs")));
        return sb.toString();
    }

    @Override
    public void close() {
        // all services at once: each takes a few seconds to shut down gracefully
        replicas.forEach(ServiceProcess::requestStop);
        services.values().forEach(ServiceProcess::requestStop);
        for (ServiceProcess p : replicas) {
            try {
                p.stop(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ServiceProcess p : services.values()) {
            try {
                p.stop(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (kafka != null) {
            try {
                kafka.stop(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (mail != null) {
            mail.stop();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "up" : args[0];
        Path home = Path.of(System.getProperty("marketbill.home", ".")).toAbsolutePath().normalize();
        StackConfig config = StackConfig.fromEnvironment(home);
        switch (command) {
            case "up" -> up(config);
            case "status" -> System.exit(status(config) ? 0 : 1);
            case "demo" -> new Demo(config).run();
            case "token" -> System.exit(DevLoginTokens.command(config, java.util.Arrays.copyOfRange(args, 1, args.length)));
            default -> {
                System.err.println("usage: LocalStack up|status|demo|token");
                System.exit(2);
            }
        }
    }

    private static void up(StackConfig config) throws Exception {
        Path readyFile = config.dataDir().resolve("ready");
        Files.deleteIfExists(readyFile);
        LocalStack stack = new LocalStack(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the local stack...");
            try {
                Files.deleteIfExists(readyFile);
            } catch (IOException ignored) {
                // best effort
            }
            stack.close();
            stopped.countDown();
            System.out.println("stopped");
        }));
        double seconds;
        try {
            // STACK_SERVICES (comma-separated) starts a subset, e.g. only the gateway for a benchmark
            String only = System.getenv("STACK_SERVICES");
            seconds = only == null || only.isBlank() ? stack.start()
                    : stack.start(SERVICES.stream().filter(java.util.Arrays.asList(only.split(","))::contains).toList());
        } catch (Exception e) {
            System.err.println("the local stack did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf("all healthy in %.1f s%n%s", seconds, stack.summary());
        System.out.println("resident memory (MiB): " + stack.residentMemoryMib());
        Files.writeString(readyFile, String.format("healthy_after_seconds=%.1f%n", seconds)
                + stack.services.entrySet().stream().map(e -> e.getKey() + ".pid=" + e.getValue().pid())
                .collect(Collectors.joining("\n")) + "\nkafka.pid=" + stack.kafka.pid() + "\n"
                // what `stack demo` in another shell plays: the close actions only with short timings
                + config.closeGraces().entrySet().stream().map(e -> "close." + e.getKey() + "=" + e.getValue() + "\n")
                .collect(Collectors.joining()));
        System.out.println("Ctrl-C stops everything.");
        stopped.await();
    }

    private static boolean status(StackConfig config) {
        boolean allUp = true;
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("gateway-service", config.gatewayPort());
        ports.put("subscription-service", config.subscriptionPort());
        ports.put("binding-service", config.bindingPort());
        ports.put("billing-service", config.billingPort());
        ports.put("notification-service", config.notificationPort());
        ports.put("marketplace-simulator", config.simulatorPort());
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            ServiceProcess probe = new ServiceProcess(e.getKey(), List.of(), Map.of(), Path.of("/dev/null"),
                    config.url(e.getValue()) + "/readyz", e.getValue());
            boolean ready = probe.isReady();
            allUp &= ready;
            System.out.printf("%-22s %-6s %s%n", e.getKey(), ready ? "UP" : "DOWN", probe.readinessUrl());
        }
        boolean kafkaUp = Ports.accepts(config.host(), config.kafkaPort());
        allUp &= kafkaUp;
        System.out.printf("%-22s %-6s %s%n", "kafka", kafkaUp ? "UP" : "DOWN", config.kafkaBootstrap());
        return allUp;
    }
}

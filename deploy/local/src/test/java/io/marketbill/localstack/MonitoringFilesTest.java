package io.marketbill.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.localstack.ops.MonitoringFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboards, alert rules and their wiring without a running stack: the PromQL extraction, the files'
 * shape, a runbook section per alert, a unit test per alert in alerts_test.yml, every marketbill metric they
 * use registered somewhere in the services' code with the matching meter type, and deploy/compose.yaml's
 * Prometheus and Grafana pointed at its services. StackIT (order 8) checks the same names against the real
 * processes' scrapes; PromtoolTest runs Prometheus's own checks and the unit tests.
 */
class MonitoringFilesTest {

    static final Path HOME = Path.of(System.getProperty("marketbill.home", "../..")).toAbsolutePath().normalize();
    static final Path DEPLOY = HOME.resolve("deploy");
    /** How alerts.yml starts every runbook_url: the runbooks' address is an external label of each configuration. */
    static final String RUNBOOK_LINK = "{{ $externalLabels.runbook_base }}#";

    @Test
    void extractsMetricNamesFromPromQl() {
        assertThat(MonitoringFiles.metricNames(
                "sum by (marketplace, reason) (increase(marketbill_callbacks_rejected_total{reason=~\"invalid_token|x_total\"}[10m])) > 20"))
                .containsExactly("marketbill_callbacks_rejected_total");
        assertThat(MonitoringFiles.metricNames(
                "histogram_quantile(0.99, sum by (le, application) (rate(http_server_requests_seconds_bucket[$__rate_interval])))"))
                .containsExactly("http_server_requests_seconds_bucket");
        assertThat(MonitoringFiles.metricNames("sum by (application) (rate(a_sum[5m])) / sum without (le) (rate(a_count[${__rate_interval}]))"))
                .containsExactly("a_count", "a_sum");
        assertThat(MonitoringFiles.metricNames("max(marketbill_metering_near_deadline) > 0 and on (application) up offset 5m"))
                .containsExactly("marketbill_metering_near_deadline", "up");
        assertThat(MonitoringFiles.metricNames("jvm_memory_used_bytes{area=\"heap\"} / ignoring(id) jvm_memory_max_bytes"))
                .containsExactly("jvm_memory_max_bytes", "jvm_memory_used_bytes");
        assertThat(MonitoringFiles.metricNames("process_cpu_usage")).containsExactly("process_cpu_usage");
        assertThat(MonitoringFiles.metricNames("1e3 * rate(x:y:z[1h]) > bool 0.5")).containsExactly("x:y:z");
    }

    @Test
    void readsScrapesAndAnchors() {
        String scrape = """
                # HELP marketbill_dead_letters_total Records given up on
                # TYPE marketbill_dead_letters counter
                marketbill_dead_letters_total{application="billing-service"} 0.0
                marketbill_dead_letters_pending 0.0
                """;
        assertThat(MonitoringFiles.exportedNames(scrape))
                .containsExactly("marketbill_dead_letters_pending", "marketbill_dead_letters_total");
        assertThat(MonitoringFiles.anchors("# Runbooks\n## MarketbillDeadMail\n### What it means, now\n"))
                .containsExactly("runbooks", "marketbilldeadmail", "what-it-means-now");
    }

    @Test
    void dashboardsAreGrafanaJsonOnThePrometheusDatasource() throws IOException {
        List<Path> dashboards;
        try (Stream<Path> files = Files.list(HOME.resolve("deploy/grafana/dashboards"))) {
            dashboards = files.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertThat(dashboards).isNotEmpty();
        for (Path d : dashboards) {
            String text = Files.readString(d);
            JsonNode root = JsonMapper.builder().build().readTree(text);
            assertThat(root.path("schemaVersion").asInt()).as(d + " schemaVersion").isGreaterThanOrEqualTo(36);
            assertThat(root.path("uid").asString()).as(d + " uid").isNotBlank();
            assertThat(root.path("panels").size()).as(d + " panels").isGreaterThan(0);
            Set<Integer> ids = new TreeSet<>();
            List<JsonNode> placed = new ArrayList<>();
            for (JsonNode p : root.path("panels")) {
                assertThat(ids.add(p.path("id").asInt())).as(p.path("title") + ": id " + p.path("id") + " unique").isTrue();
                JsonNode g = p.path("gridPos");
                assertThat(g.path("w").asInt()).as(p.path("title") + " gridPos").isPositive();
                assertThat(g.path("h").asInt()).as(p.path("title") + " gridPos").isPositive();
                assertThat(g.path("x").asInt() + g.path("w").asInt()).as(p.path("title") + " within 24 columns")
                        .isLessThanOrEqualTo(24);
                for (JsonNode other : placed) {
                    JsonNode o = other.path("gridPos");
                    boolean overlap = g.path("x").asInt() < o.path("x").asInt() + o.path("w").asInt()
                            && o.path("x").asInt() < g.path("x").asInt() + g.path("w").asInt()
                            && g.path("y").asInt() < o.path("y").asInt() + o.path("h").asInt()
                            && o.path("y").asInt() < g.path("y").asInt() + g.path("h").asInt();
                    assertThat(overlap).as(p.path("title") + " overlaps " + other.path("title")).isFalse();
                }
                placed.add(p);
                Set<String> refIds = new TreeSet<>();
                for (JsonNode t : p.path("targets")) {
                    assertThat(refIds.add(t.path("refId").asString())).as(p.path("title") + " refId " + t.path("refId"))
                            .isTrue();
                    assertThat(t.path("datasource").path("uid").asString()).as(p.path("title") + " datasource")
                            .isIn("${DS_PROMETHEUS}", "prometheus");
                    assertThat(MonitoringFiles.metricNames(t.path("expr").asString()))
                            .as(p.path("title") + ": " + t.path("expr")).isNotEmpty();
                }
            }
            assertThat(MonitoringFiles.dashboardExpressions(text)).isNotEmpty();
        }
    }

    @Test
    void everyAlertHasAnExpressionAndARunbookSection() throws IOException {
        List<MonitoringFiles.Alert> alerts =
                MonitoringFiles.alerts(Files.readString(HOME.resolve("deploy/prometheus/alerts.yml")));
        Set<String> anchors = MonitoringFiles.anchors(Files.readString(HOME.resolve("docs/runbooks.md")));
        assertThat(alerts).extracting(MonitoringFiles.Alert::name).contains("MarketbillMeteringNearDeadline",
                "MarketbillMeteringOverdue", "MarketbillDeadLetters", "MarketbillCallbackSignatureFailures",
                "MarketbillConsumerLagHigh", "MarketbillSmtpFailing", "MarketbillDeadMail",
                "MarketbillReconciliationDifferences", "MarketbillServiceDown", "MarketbillServiceAbsent",
                "MarketbillMeteringOverdueAbsent");
        for (MonitoringFiles.Alert a : alerts) {
            assertThat(a.expr()).as(a.name() + " expr").isNotBlank();
            assertThat(MonitoringFiles.metricNames(a.expr())).as(a.name() + " metrics").isNotEmpty();
            assertThat(a.runbookUrl()).as(a.name() + " runbook_url").startsWith(RUNBOOK_LINK);
            assertThat(anchors).as(a.name() + " runbook section").contains(a.runbookUrl().substring(RUNBOOK_LINK.length()));
        }
        // so every link ends up at a section of this repository's docs/runbooks.md, wherever it is hosted
        List<Path> configs = prometheusConfigs();
        assertThat(configs).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("prometheus.yml", "prometheus-compose.yml");
        for (Path c : configs) {
            Map<String, Object> config = map(yaml(c));
            assertThat(list(config.get("rule_files"))).as(c + " rule_files").containsExactly("alerts.yml");
            URI base = URI.create(String.valueOf(at(config, "global", "external_labels", "runbook_base")));
            assertThat(base.getScheme()).as(c + " runbook_base " + base).isEqualTo("https");
            assertThat(base.getFragment()).as(c + " runbook_base " + base).isNull();
            assertThat(base.getPath()).as(c + " runbook_base " + base).endsWith("/docs/runbooks.md");
        }
        String prometheus = Files.readString(HOME.resolve("deploy/prometheus/prometheus.yml"));
        assertThat(prometheus).contains("- alerts.yml", "/actuator/prometheus");
        // the services' management ports (StackConfig's defaults), where actuator alone is served
        for (String service : StackConfig.MANAGEMENT_PORT_SETTINGS.keySet()) {
            int port = StackConfig.from(HOME, name -> null).managementPort(service);
            assertThat(prometheus).contains("targets: ['127.0.0.1:" + port + "']\n        labels: {service: "
                    + service + "}");
        }
    }

    /**
     * Every {@code marketbill_*} name used is a meter the services' code registers, as a counter for
     * {@code _total} names and as a gauge otherwise (the scrape name is the meter name with dots as underscores).
     */
    @Test
    void everyMarketbillMetricUsedIsRegisteredInTheServicesCode() throws IOException {
        StringBuilder code = new StringBuilder();
        try (Stream<Path> files = Files.walk(HOME)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                    && !p.toString().contains("/deploy/")).toList()) {
                code.append(Files.readString(f).replaceAll("\\s+", " ")).append('\n');
            }
        }
        Map<String, Set<String>> used = MonitoringFiles.usedMetrics(HOME);
        System.out.println("metrics used by the dashboards and alerts: " + used.keySet());
        Set<String> missing = used.keySet().stream().filter(n -> n.startsWith("marketbill_")).filter(n -> {
            boolean counter = n.endsWith("_total");
            String meter = (counter ? n.substring(0, n.length() - "_total".length()) : n).replace('_', '.');
            String q = Pattern.quote("\"" + meter + "\"");
            Pattern registered = counter
                    ? Pattern.compile("(Counter\\.builder\\(|\\.counter\\()\\s*" + q)
                    : Pattern.compile("Gauge\\.builder\\(\\s*" + q);
            return !registered.matcher(code).find();
        }).collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(missing).as("used by a dashboard or alert but registered nowhere").isEmpty();
        assertThat(used.keySet()).as("names outside marketbill's own: Spring Boot's and Kafka's standard meters")
                .allMatch(n -> n.startsWith("marketbill_") || n.startsWith("jvm_") || n.startsWith("process_")
                        || n.startsWith("http_server_requests_seconds_") || n.startsWith("kafka_consumer_"));
    }

    /** The dashboard's p99 needs http.server.requests' histogram buckets, which Micrometer publishes only when asked. */
    @Test
    void latencyPercentilesHaveTheirHistogramInEveryService() throws IOException {
        assertThat(MonitoringFiles.usedMetrics(HOME)).containsKey("http_server_requests_seconds_bucket");
        assertThat(at(yaml(HOME.resolve("reliable-messaging/src/main/resources/marketbill-messaging.yml")),
                "management", "metrics", "distribution", "percentiles-histogram", "http.server.requests"))
                .as("the services' shared defaults").isEqualTo(true);
    }

    /**
     * alerts_test.yml (run by PromtoolTest) has, for every alert of alerts.yml, a case where it fires, with its
     * labels and rendered annotations, and one where it stays quiet (below its threshold or before its
     * {@code for:}); and no case for an alert that is not there.
     */
    @Test
    void everyAlertIsUnitTestedFiringAndQuiet() throws IOException {
        Set<String> alerts = MonitoringFiles.alerts(Files.readString(HOME.resolve("deploy/prometheus/alerts.yml")))
                .stream().map(MonitoringFiles.Alert::name).collect(Collectors.toCollection(TreeSet::new));
        Map<String, Object> file = map(yaml(HOME.resolve("deploy/prometheus/alerts_test.yml")));
        assertThat(list(file.get("rule_files"))).as("alerts_test.yml rule_files").containsExactly("alerts.yml");
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (Object group : list(file.get("tests"))) {
            assertThat(at(group, "external_labels", "runbook_base")).as("a test group's runbook_base").isNotNull();
            for (Object t : list(map(group).get("alert_rule_test"))) {
                String name = String.valueOf(map(t).get("alertname"));
                List<Object> expected = list(map(t).get("exp_alerts"));
                (expected.isEmpty() ? quiet : firing).add(name);
                for (Object e : expected) {
                    assertThat(map(map(e).get("exp_labels"))).as(name + " exp_labels").containsKey("severity");
                    assertThat(map(map(e).get("exp_annotations"))).as(name + " exp_annotations")
                            .containsKeys("summary", "runbook_url");
                }
            }
        }
        assertThat(firing).as("alerts with a case where they fire").isEqualTo(alerts);
        assertThat(quiet).as("alerts with a case where they stay quiet").isEqualTo(alerts);
    }

    /**
     * deploy/compose.yaml's Prometheus scrapes exactly the compose services that expose /actuator/prometheus, by
     * their compose names and container ports, and finds the alert rules where its configuration says.
     */
    @Test
    void composePrometheusScrapesEveryServiceWithMetricsAndLoadsTheAlerts() throws IOException {
        Map<String, Object> services = composeServices();
        Map<String, Object> prometheus = map(services.get("prometheus"));
        assertThat(prometheus.get("command")).as("prometheus reads the image's default /etc/prometheus/prometheus.yml")
                .isNull();
        Map<String, Path> mounts = mounts(prometheus);
        Path config = mounts.get("/etc/prometheus/prometheus.yml");
        assertThat(config).isEqualTo(DEPLOY.resolve("prometheus/prometheus-compose.yml"));
        Map<String, Object> c = map(yaml(config));
        for (Object rules : list(c.get("rule_files"))) {
            // the same layout as in the repository, so that promtool checks the configuration as it is mounted
            assertThat(mounts.get("/etc/prometheus/" + rules)).as(rules + ", relative to the configuration")
                    .isEqualTo(config.resolveSibling(rules.toString()));
        }
        Map<String, String> expected = new TreeMap<>();
        for (String name : services.keySet()) {
            if (exportsMetrics(name)) {
                // actuator is on the management port alone, which compose exposes but never publishes
                Map<String, Object> service = map(services.get(name));
                Object port = map(service.get("environment")).entrySet().stream()
                        .filter(e -> e.getKey().endsWith("_MANAGEMENT_PORT")).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
                assertThat(port).as(name + " sets its management port").isNotNull();
                assertThat(containerPorts(service)).as(name + " exposes its management port")
                        .contains(Integer.parseInt(port.toString()));
                expected.put(name + ":" + port, name);
            }
        }
        assertThat(expected).as("compose services with /actuator/prometheus").hasSize(5)
                .doesNotContainValue("marketplace-simulator");
        Map<String, String> scraped = new TreeMap<>();
        for (Object job : list(c.get("scrape_configs"))) {
            assertThat(map(job).get("job_name")).as("the job alerts.yml watches").isEqualTo("marketbill");
            assertThat(map(job).get("metrics_path")).isEqualTo("/actuator/prometheus");
            for (Object sc : list(map(job).get("static_configs"))) {
                for (Object target : list(map(sc).get("targets"))) {
                    scraped.put(target.toString(), String.valueOf(at(sc, "labels", "service")));
                }
            }
        }
        assertThat(scraped).as("targets (with their service label)").isEqualTo(expected);
    }

    /** compose's Grafana: its datasource is the compose service prometheus, its dashboards the repository's. */
    @Test
    void composeGrafanaReadsThePrometheusServiceAndTheDashboards() throws IOException {
        Map<String, Object> services = composeServices();
        Map<String, Object> grafana = map(services.get("grafana"));
        Map<String, Path> mounts = mounts(grafana);
        Path datasources = mounts.get("/etc/grafana/provisioning/datasources");
        assertThat(datasources).as("datasource provisioning").isNotNull().isDirectory();
        Set<String> urls = new TreeSet<>();
        try (Stream<Path> files = Files.list(datasources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                for (Object ds : list(map(yaml(f)).get("datasources"))) {
                    assertThat(map(ds)).as(f.toString()).containsEntry("type", "prometheus")
                            .containsEntry("uid", "prometheus");
                    urls.add(String.valueOf(map(ds).get("url")));
                }
            }
        }
        assertThat(services).containsKey("prometheus");
        assertThat(urls).as("datasource URLs").containsExactlyElementsOf(
                containerPorts(map(services.get("prometheus"))).stream().map(port -> "http://prometheus:" + port).toList());

        Path providers = mounts.get("/etc/grafana/provisioning/dashboards");
        assertThat(providers).isEqualTo(DEPLOY.resolve("grafana/provisioning/dashboards"));
        Map<String, Object> environment = map(grafana.get("environment"));
        try (Stream<Path> files = Files.list(providers)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                for (Object provider : list(map(yaml(f)).get("providers"))) {
                    // Grafana expands $VAR and ${VAR} from its environment in provisioning files
                    String path = Pattern.compile("\\$\\{?(\\w+)}?").matcher(String.valueOf(at(provider, "options", "path")))
                            .replaceAll(m -> Matcher.quoteReplacement(String.valueOf(environment.get(m.group(1)))));
                    assertThat(mounts.get(path)).as(f + " dashboards path " + path)
                            .isEqualTo(DEPLOY.resolve("grafana/dashboards"));
                }
            }
        }
    }

    /** Only the gateway is published on the host; Prometheus and Grafana on the loopback interface only. */
    @Test
    void composePublishesOnlyTheGatewayAndMonitoringOnLoopback() throws IOException {
        Map<String, List<String>> published = new TreeMap<>();
        composeServices().forEach((name, service) -> {
            List<Object> ports = list(map(service).get("ports"));
            if (!ports.isEmpty()) {
                assertThat(ports).as(name + " ports (short syntax)").allMatch(String.class::isInstance);
                published.put(name, ports.stream().map(String::valueOf).toList());
            }
        });
        assertThat(published).containsOnlyKeys("gateway-service", "prometheus", "grafana");
        assertThat(published.get("prometheus")).containsExactly("127.0.0.1:9090:9090");
        assertThat(published.get("grafana")).containsExactly("127.0.0.1:3000:3000");
    }

    /** compose's broker is the Kafka the build tests against. */
    @Test
    void composeRunsTheBuildsKafka() throws IOException {
        Matcher version = Pattern.compile("<kafka\\.version>([^<]+)</kafka\\.version>")
                .matcher(Files.readString(HOME.resolve("pom.xml")));
        assertThat(version.find()).as("kafka.version in pom.xml").isTrue();
        List<Object> kafka = composeServices().values().stream().map(s -> map(s).get("image"))
                .filter(i -> String.valueOf(i).startsWith("apache/kafka:")).toList();
        assertThat(kafka).isNotEmpty().containsOnly("apache/kafka:" + version.group(1));
    }

    // ---------------------------------------------------------------- reading the files

    /** The Prometheus configurations the project ships: deploy/prometheus/prometheus*.yml. */
    static List<Path> prometheusConfigs() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY.resolve("prometheus"))) {
            return files.filter(p -> p.getFileName().toString().matches("prometheus.*\\.yml")).sorted().toList();
        }
    }

    static Map<String, Object> composeServices() throws IOException {
        return map(map(yaml(DEPLOY.resolve("compose.yaml"))).get("services"));
    }

    /** A compose service's bind mounts: where in the container, from which file or folder of deploy/. */
    static Map<String, Path> mounts(Map<String, Object> service) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (Object v : list(service.get("volumes"))) {
            String[] parts = v.toString().split(":");
            if (parts[0].startsWith("./")) {
                mounts.put(parts[1], DEPLOY.resolve(parts[0]).normalize());
            }
        }
        return mounts;
    }

    /** The ports a compose service listens on in its container: its {@code expose} and the inner side of {@code ports}. */
    static List<Integer> containerPorts(Map<String, Object> service) {
        List<Integer> ports = new ArrayList<>();
        for (Object e : list(service.get("expose"))) {
            ports.add(Integer.parseInt(e.toString().replace("/tcp", "")));
        }
        for (Object p : list(service.get("ports"))) {
            String spec = p.toString();
            ports.add(Integer.parseInt(spec.substring(spec.lastIndexOf(':') + 1).replace("/tcp", "")));
        }
        return ports;
    }

    /**
     * Whether a compose service is a module of this repository whose application exposes /actuator/prometheus:
     * by its own application.yml, or else by the defaults of reliable-messaging it depends on.
     */
    static boolean exportsMetrics(String name) throws IOException {
        Path application = HOME.resolve(name).resolve("src/main/resources/application.yml");
        if (!Files.exists(application)) {
            return false;
        }
        Object include = at(yaml(application), "management", "endpoints", "web", "exposure", "include");
        if (include == null && Files.readString(HOME.resolve(name).resolve("pom.xml"))
                .contains("<artifactId>reliable-messaging</artifactId>")) {
            include = at(yaml(HOME.resolve("reliable-messaging/src/main/resources/marketbill-messaging.yml")),
                    "management", "endpoints", "web", "exposure", "include");
        }
        return include != null && List.of(include.toString().split("\\s*,\\s*")).contains("prometheus");
    }

    /** The first YAML document of a file. */
    static Object yaml(Path file) throws IOException {
        return new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file)).iterator().next();
    }

    /** The value at a path of nested mappings, or null where one is missing. */
    static Object at(Object node, String... keys) {
        for (String k : keys) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(k);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) {
            throw new AssertionError("expected a mapping, got " + o);
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }
}

package io.marketbill.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.localstack.ops.MonitoringFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboards and alert rules without a running stack: the PromQL extraction, the files' shape, a runbook
 * section per alert, and every marketbill metric they use registered somewhere in the services' code with the
 * matching meter type. StackIT (order 8) checks the same names against the real processes' scrapes.
 */
class MonitoringFilesTest {

    static final Path HOME = Path.of(System.getProperty("marketbill.home", "../..")).toAbsolutePath().normalize();

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
            for (JsonNode p : root.path("panels")) {
                assertThat(p.path("gridPos").path("w").asInt()).as(p.path("title") + " gridPos").isPositive();
                for (JsonNode t : p.path("targets")) {
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
                "MarketbillReconciliationDifferences");
        for (MonitoringFiles.Alert a : alerts) {
            assertThat(a.expr()).as(a.name() + " expr").isNotBlank();
            assertThat(MonitoringFiles.metricNames(a.expr())).as(a.name() + " metrics").isNotEmpty();
            assertThat(a.runbookUrl()).as(a.name() + " runbook_url").startsWith("docs/runbooks.md#");
            assertThat(anchors).as(a.name() + " runbook section").contains(a.runbookUrl().substring(a.runbookUrl().indexOf('#') + 1));
        }
        String prometheus = Files.readString(HOME.resolve("deploy/prometheus/prometheus.yml"));
        assertThat(prometheus).contains("- alerts.yml", "/actuator/prometheus");
        for (int port : new int[] {8080, 8081, 8082, 8083, 8084}) {
            assertThat(prometheus).contains("127.0.0.1:" + port);
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
}

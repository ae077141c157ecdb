package io.marketbill.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.localstack.ops.MonitoringFiles;
import io.marketbill.testsupport.RequiredTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring files checked by Prometheus's own promtool: every Prometheus configuration the project ships,
 * compose's as compose mounts it, the alert rules, their unit tests (deploy/prometheus/alerts_test.yml), and the
 * dashboards' PromQL.
 * Without promtool on the machine these are skipped, except under {@code CI=true}, where they fail.
 */
class PromtoolTest {

    static final Path PROMETHEUS = MonitoringFilesTest.DEPLOY.resolve("prometheus");

    private static Path promtool;

    /**
     * Per test, so that each one is reported as skipped (or, under CI=true, failed) with the reason
     * ({@link RequiredTool}).
     */
    @BeforeEach
    void promtoolIsThere() {
        if (promtool == null) {
            promtool = RequiredTool.find("Debian: apt-get install -y prometheus, which brings it", "promtool");
            System.out.println(run(PROMETHEUS, "--version").output().lines().findFirst().orElse(""));
        }
    }

    @Test
    void everyPrometheusConfigurationIsValidWithItsRules() throws IOException {
        for (Path config : MonitoringFilesTest.prometheusConfigs()) {
            Result r = run(PROMETHEUS, "check", "config", config.toString());
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).as("the rule file is checked with it").contains("alerts.yml");
        }
    }

    /** The container's files laid out as compose mounts them, so a mount in the wrong place fails here. */
    @Test
    void composeConfigurationIsValidWhereComposeMountsIt(@TempDir Path root) throws IOException {
        Map<String, Path> mounts = MonitoringFilesTest.mounts(MonitoringFilesTest.map(
                MonitoringFilesTest.composeServices().get("prometheus")));
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            Path target = root.resolve(m.getKey().substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(m.getValue(), target);
        }
        Result r = run(root, "check", "config", "etc/prometheus/prometheus.yml");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).as("the rule file is checked with it").contains("alerts.yml");
    }

    @Test
    void alertRulesAreValid() {
        Result r = run(PROMETHEUS, "check", "rules", "alerts.yml");
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void alertRulesPassTheirUnitTests() {
        Result r = run(PROMETHEUS, "test", "rules", "alerts_test.yml");
        System.out.println(r.output());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    /**
     * Every PromQL expression of the dashboards parses: written as recording rules, with Grafana's interval
     * variables as a fixed range, for promtool check rules.
     */
    @Test
    void dashboardExpressionsAreValidPromQl(@TempDir Path dir) throws IOException {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        int n = 0;
        try (Stream<Path> files = Files.list(MonitoringFilesTest.DEPLOY.resolve("grafana/dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                for (String expr : MonitoringFiles.dashboardExpressions(Files.readString(f))) {
                    String promql = expr.replaceAll("\\$\\{?__\\w+}?", "5m");
                    rules.append("      - record: dashboard:expression_").append(++n).append('\n')
                            .append("        expr: ").append(JsonMapper.builder().build().writeValueAsString(promql))
                            .append("  # ").append(f.getFileName()).append('\n');
                }
            }
        }
        assertThat(n).isPositive();
        Files.writeString(dir.resolve("dashboards.yml"), rules);
        Result r = run(dir, "check", "rules", "dashboards.yml");
        assertThat(r.exit()).as(r.output() + "\n" + rules).isZero();
        assertThat(r.output()).contains("SUCCESS: " + n + " rules found");
    }

    /** What promtool printed (stdout and stderr), after the command line it ran. */
    record Result(int exit, String output) {
    }

    static Result run(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command + " finished").isTrue();
            return new Result(p.exitValue(), String.join(" ", command) + "\n" + output);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

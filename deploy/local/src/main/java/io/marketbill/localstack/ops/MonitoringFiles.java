package io.marketbill.localstack.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboards ({@code deploy/grafana/dashboards/*.json}) and Prometheus alert rules
 * ({@code deploy/prometheus/alerts.yml}): their PromQL expressions, the metric names those use, and the names a
 * service's {@code /actuator/prometheus} exports. StackIT checks the first against the second on real processes.
 */
public final class MonitoringFiles {

    /** PromQL functions, aggregations and keywords: identifiers that are not metric names. */
    static final Set<String> NOT_METRICS = Set.of(
            "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
            "group", "limitk", "limit_ratio", "by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "bool", "and", "or", "unless", "atan2", "inf", "nan", "le",
            "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "resets", "changes",
            "histogram_quantile", "histogram_count", "histogram_sum", "histogram_fraction", "absent",
            "absent_over_time", "abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "exp", "ln",
            "log2", "log10", "sqrt", "sgn", "scalar", "vector", "time", "timestamp", "label_replace", "label_join",
            "sort", "sort_desc", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
            "count_over_time", "quantile_over_time", "stddev_over_time", "last_over_time", "present_over_time",
            "day_of_month", "day_of_week", "hour", "minute", "month", "year", "label_values");

    /** Series Prometheus writes itself for every target it scrapes: alerts and dashboards use them, no service has them. */
    static final Set<String> SCRAPE_SERIES = Set.of("up");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?\\w+(?::\\w+)?\\}?");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*\\}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern ALERT = Pattern.compile("^\\s*-\\s*alert:\\s*(\\S+)\\s*$");
    private static final Pattern EXPR = Pattern.compile("^(\\s*)expr:\\s*(.*)$");
    private static final Pattern RUNBOOK = Pattern.compile("^\\s*runbook_url:\\s*(.+?)\\s*$");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*$");

    private MonitoringFiles() {
    }

    /** An alert rule of alerts.yml: its name, its expression and its runbook link (null if none). */
    public record Alert(String name, String expr, String runbookUrl) {
    }

    /** The metric names one PromQL expression uses. */
    public static Set<String> metricNames(String promql) {
        String s = STRING.matcher(promql).replaceAll(" ");
        s = GRAFANA_VARIABLE.matcher(s).replaceAll("1m");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean call = next < s.length() && s.charAt(next) == '(';
            if (!call && !NOT_METRICS.contains(id.toLowerCase(Locale.ROOT))) {
                names.add(id);
            }
        }
        return names;
    }

    /** Every {@code expr} of a Grafana dashboard, nested rows included. */
    public static List<String> dashboardExpressions(String json) {
        List<String> exprs = new ArrayList<>();
        collect(JsonMapper.builder().build().readTree(json), exprs);
        return exprs;
    }

    private static void collect(JsonNode node, List<String> exprs) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals("expr") && e.getValue().isString()) {
                    exprs.add(e.getValue().asString());
                } else {
                    collect(e.getValue(), exprs);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                collect(n, exprs);
            }
        }
    }

    /**
     * The alerts of a Prometheus rule file, read line by line (the file keeps {@code expr} on one line, or in a
     * block scalar {@code >-} / {@code |} indented below it).
     */
    public static List<Alert> alerts(String yaml) {
        List<Alert> alerts = new ArrayList<>();
        String[] lines = yaml.split("\\R");
        String name = null;
        String expr = null;
        String runbook = null;
        for (int i = 0; i < lines.length; i++) {
            Matcher a = ALERT.matcher(lines[i]);
            Matcher e = EXPR.matcher(lines[i]);
            Matcher r = RUNBOOK.matcher(lines[i]);
            if (a.matches()) {
                if (name != null) {
                    alerts.add(new Alert(name, expr, runbook));
                }
                name = a.group(1);
                expr = null;
                runbook = null;
            } else if (e.matches()) {
                String value = e.group(2).trim();
                if (value.isEmpty() || value.startsWith(">") || value.startsWith("|")) {
                    int indent = e.group(1).length();
                    StringBuilder b = new StringBuilder();
                    while (i + 1 < lines.length && (lines[i + 1].isBlank()
                            || lines[i + 1].length() - lines[i + 1].stripLeading().length() > indent)) {
                        b.append(lines[++i].trim()).append(' ');
                    }
                    value = b.toString().trim();
                } else if ((value.startsWith("\"") && value.endsWith("\"")) || (value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                expr = value;
            } else if (r.matches()) {
                runbook = r.group(1).replaceAll("^[\"']|[\"']$", "");
            }
        }
        if (name != null) {
            alerts.add(new Alert(name, expr, runbook));
        }
        return alerts;
    }

    /** The GitHub-style anchors of a Markdown file's headings. */
    public static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : markdown.split("\\R")) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                anchors.add(h.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    /** The metric names of a Prometheus text exposition: the name of every sample line. */
    public static Set<String> exportedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\\R")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /**
     * The metric names used by every dashboard under {@code deploy/grafana/dashboards} and by
     * {@code deploy/prometheus/alerts.yml}, each with where it is used; not the series Prometheus adds itself.
     */
    public static Map<String, Set<String>> usedMetrics(Path home) {
        Map<String, Set<String>> used = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(home.resolve("deploy/grafana/dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                for (String expr : dashboardExpressions(Files.readString(f))) {
                    metricNames(expr).forEach(n -> used.computeIfAbsent(n, k -> new TreeSet<>()).add(f.getFileName().toString()));
                }
            }
            for (Alert a : alerts(Files.readString(home.resolve("deploy/prometheus/alerts.yml")))) {
                metricNames(a.expr()).forEach(n -> used.computeIfAbsent(n, k -> new TreeSet<>()).add("alerts.yml " + a.name()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        used.keySet().removeAll(SCRAPE_SERIES);
        return used;
    }
}

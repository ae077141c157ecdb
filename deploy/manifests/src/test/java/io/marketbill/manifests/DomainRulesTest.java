package io.marketbill.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository stands on its own: every rule id (R1, R13, ...) that code, tests, READMEs or configuration name is
 * defined in {@code docs/domain-rules.md}, and every rule there cites at least one of the vendors' pages listed in
 * its "Sources".
 */
class DomainRulesTest {

    static final Path ROOT = ManifestsTest.DEPLOY.getParent();
    static final Path RULES = ROOT.resolve("docs/domain-rules.md");
    private static final Pattern RULE_ID = Pattern.compile("(?<![A-Za-z0-9_/.#-])R(\\d{1,2})(?![A-Za-z0-9_])");
    private static final Pattern DEFINED = Pattern.compile("^- \\*\\*R(\\d{1,2})\\.\\*\\*", Pattern.MULTILINE);
    private static final Pattern SOURCE = Pattern.compile("^\\| (S\\d+) \\|", Pattern.MULTILINE);
    private static final Pattern CITED = Pattern.compile("^\\| R(\\d{1,2}) \\| ([S0-9, ]+) \\|$", Pattern.MULTILINE);
    private static final Set<String> TEXT = Set.of(".java", ".md", ".yml", ".yaml", ".properties", ".html", ".txt");

    @Test
    void everyRuleIdNamedAnywhereIsDefinedInTheDomainRules() throws IOException {
        Set<Integer> defined = ids(DEFINED, Files.readString(RULES));
        assertThat(defined).as("rules defined in docs/domain-rules.md").contains(1, 13, 19);
        Map<String, Set<Integer>> undefined = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(Files::isRegularFile).filter(DomainRulesTest::isSource).forEach(f -> {
                Set<Integer> used = ids(RULE_ID, read(f));
                used.removeAll(defined);
                if (!used.isEmpty()) {
                    undefined.put(ROOT.relativize(f).toString(), used);
                }
            });
        }
        assertThat(undefined).as("rule ids with no definition in docs/domain-rules.md").isEmpty();
    }

    @Test
    void everyRuleCitesAVendorPageOfTheSources() throws IOException {
        String text = Files.readString(RULES);
        Set<String> sources = SOURCE.matcher(text).results().map(m -> m.group(1)).collect(Collectors.toSet());
        assertThat(sources).isNotEmpty();
        Map<Integer, Set<String>> cited = new TreeMap<>();
        CITED.matcher(text).results().forEach(m -> cited.put(Integer.parseInt(m.group(1)),
                Stream.of(m.group(2).split(",")).map(String::strip).collect(Collectors.toCollection(TreeSet::new))));
        for (int rule : ids(DEFINED, text)) {
            assertThat(cited.get(rule)).as("sources of R" + rule).isNotNull().isNotEmpty();
            assertThat(sources).as("sources of R" + rule).containsAll(cited.get(rule));
        }
    }

    private static boolean isSource(Path f) {
        String path = ROOT.relativize(f).toString().replace('\\', '/');
        if (path.contains("/target/") || path.startsWith("target/") || path.startsWith(".") || path.contains("/.")
                || path.contains("node_modules/")) {
            return false;
        }
        String name = f.getFileName().toString();
        return TEXT.stream().anyMatch(name::endsWith);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(f.toString(), e);
        }
    }

    private static Set<Integer> ids(Pattern p, String text) {
        Set<Integer> ids = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            ids.add(Integer.parseInt(m.group(1)));
        }
        return ids;
    }
}

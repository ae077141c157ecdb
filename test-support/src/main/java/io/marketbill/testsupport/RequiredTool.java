package io.marketbill.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test runs (Chromium, promtool, kubectl), looked up on the PATH. Missing on a developer's machine,
 * the test is skipped and says what to install; missing under {@code CI=true}, the test fails: CI installs what
 * its tests need ({@code .ci/run}), so a missing tool there is a broken CI, never a quiet skip.
 */
public final class RequiredTool {

    private RequiredTool() {
    }

    /**
     * The first of {@code names} found on the PATH (or in {@code /usr/bin}, where Debian puts them).
     *
     * @param install what to do about it, e.g. "apt-get install -y chromium"
     */
    public static Path find(String install, String... names) {
        Path found = lookUp(List.of(names));
        if (found != null) {
            return found;
        }
        String message = String.join(" or ", names) + " is not installed (" + install + ")";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + ", and under CI=true a test never skips for a missing tool");
        }
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    static Path lookUp(List<String> names) {
        List<String> dirs = new java.util.ArrayList<>(
                List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String dir : dirs) {
            for (String name : names) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }
}

package io.marketbill.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's {@code chromium}, headless, for checking server-rendered pages in a real browser. */
public final class HeadlessChromium {

    private HeadlessChromium() {
    }

    /** The browser on the PATH; a test without it is skipped, or fails under CI=true ({@link RequiredTool}). */
    public static Path require() {
        return RequiredTool.find("Debian: apt-get install -y chromium", "chromium", "chromium-browser");
    }

    /**
     * Opens the page in a fresh profile and returns what the browser printed (e.g. with {@code --dump-dom}, or
     * {@code --screenshot=<file>}).
     */
    public static String run(Path chromium, String language, String windowSize, String url, String... extra)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--accept-lang=" + language, "--lang=" + language,
                "--virtual-time-budget=15000", "--window-size=" + windowSize));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish within 90 s");
        }
        return out;
    }
}

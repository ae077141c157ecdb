package io.marketbill.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One JVM process of the stack, its log file and how to tell it is ready. */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final String readinessUrl;
    private final int port;
    private Process process;

    ServiceProcess(String name, List<String> command, Map<String, String> environment, Path log, String readinessUrl,
                   int port) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.readinessUrl = readinessUrl;
        this.port = port;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** Where this instance serves actuator (Prometheus, health details); the simulator and Kafka have none. */
    public int managementPort() {
        String variable = StackConfig.MANAGEMENT_PORT_SETTINGS.get(name);
        String value = variable == null ? null : environment.get(variable);
        if (value == null) {
            throw new IllegalStateException(name + " has no management port");
        }
        return Integer.parseInt(value);
    }

    public String readinessUrl() {
        return readinessUrl;
    }

    public Path log() {
        return log;
    }

    public synchronized void start() throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        process = pb.start();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hooks, no goodbyes; for fault tests. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, without waiting. */
    public synchronized void requestStop() {
        if (process != null && process.isAlive()) {
            process.destroy();
        }
    }

    /** SIGTERM, then SIGKILL if it has not gone after the grace period. */
    public synchronized void stop(Duration grace) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    public boolean isReady() {
        if (readinessUrl == null) {
            return Ports.accepts("127.0.0.1", port);
        }
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(readinessUrl))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether it is ready now; fails, with the end of its log, if the process has died. */
    public boolean checkReady() {
        if (!isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; "
                    + "last lines of " + log + ":\n" + tail(40));
        }
        return isReady();
    }

    /** Waits until ready; fails early, with the end of its log, if the process dies. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (checkReady()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not ready within " + timeout.toSeconds() + " s; last lines of "
                + log + ":\n" + tail(40));
    }

    /** Resident memory in KiB, from /proc (Linux); -1 if unknown. */
    public long residentKib() {
        return residentKib(pid());
    }

    static long residentKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static List<String> java(String javaOpts, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opt : javaOpts.trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                cmd.add(opt);
            }
        }
        cmd.addAll(List.of(args));
        return cmd;
    }
}

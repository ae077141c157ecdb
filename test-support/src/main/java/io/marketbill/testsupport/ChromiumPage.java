package io.marketbill.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One page of Debian's {@code chromium}, headless, driven over the Chrome DevTools Protocol
 * (https://chromedevtools.github.io/devtools-protocol/): for tests that fill in and submit a form as a user does, which
 * the command line ({@link HeadlessChromium}) cannot. The browser runs in a fresh profile, listens on a port it picks
 * itself ({@code --remote-debugging-port=0}, written to {@code DevToolsActivePort} in the profile), and is killed with
 * its profile on {@link #close}.
 */
public final class ChromiumPage implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** Waiters for an event, by method: completed by the next such event. */
    private final Map<String, List<CompletableFuture<JsonNode>>> waiters = new ConcurrentHashMap<>();

    private ChromiumPage(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /**
     * Starts the browser ({@link HeadlessChromium#require()} finds it) with the page's language ({@code zh-CN},
     * {@code en-US}: what it sends as Accept-Language) and window size ({@code 900,1000}).
     */
    public static ChromiumPage open(Path chromium, String language, String windowSize)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-cdp");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--accept-lang=" + language, "--lang=" + language,
                "--window-size=" + windowSize, "--hide-scrollbars", "--remote-debugging-port=0", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            int port = port(profile, p);
            HttpClient http = HttpClient.newHttpClient();
            String ws = null;
            long until = System.nanoTime() + TIMEOUT.toNanos();
            while (ws == null && System.nanoTime() < until) {
                JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if ("page".equals(t.path("type").asString())) {
                        ws = t.path("webSocketDebuggerUrl").asString();
                        break;
                    }
                }
                if (ws == null) {
                    Thread.sleep(100);
                }
            }
            if (ws == null) {
                throw new IllegalStateException("chromium shows no page target");
            }
            ChromiumPage[] self = new ChromiumPage[1];
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(TIMEOUT)
                    .buildAsync(URI.create(ws), new Listener(message -> {
                        // nothing comes before the first command, which is sent once self[0] is set
                        if (self[0] != null) {
                            self[0].receive(message);
                        }
                    }))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            self[0] = new ChromiumPage(p, profile, socket);
            self[0].send("Page.enable", JSON.createObjectNode());
            self[0].send("Runtime.enable", JSON.createObjectNode());
            return self[0];
        } catch (IOException | InterruptedException | RuntimeException e) {
            kill(p, profile);
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            kill(p, profile);
            throw new IOException("cannot connect to chromium's DevTools", e);
        }
    }

    /** The port the browser picked: the first line of {@code DevToolsActivePort}, once it is written. */
    private static int port(Path profile, Process p) throws IOException, InterruptedException {
        Path file = profile.resolve("DevToolsActivePort");
        long until = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < until) {
            if (!p.isAlive()) {
                throw new IllegalStateException("chromium exited with " + p.exitValue());
            }
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (lines.size() >= 2 && !lines.get(0).isBlank()) {
                    return Integer.parseInt(lines.get(0).strip());
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("chromium wrote no DevToolsActivePort within " + TIMEOUT);
    }

    /** Goes to the URL and waits for its load event (then for whatever the page loads next, e.g. a sign-in's post). */
    public void navigate(String url) {
        CompletableFuture<JsonNode> loaded = next("Page.loadEventFired");
        ObjectNode params = JSON.createObjectNode().put("url", url);
        JsonNode result = send("Page.navigate", params);
        if (result.has("errorText")) {
            throw new IllegalStateException("cannot open " + url + ": " + result.path("errorText").asString());
        }
        await(loaded, "the load of " + url);
    }

    /** Runs the script in the page and returns its value (a promise is awaited). */
    public JsonNode evaluate(String expression) {
        ObjectNode params = JSON.createObjectNode().put("expression", expression).put("returnByValue", true)
                .put("awaitPromise", true);
        JsonNode result = send("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("the script failed: " + result.path("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Waits until the script is true in the page (across navigations: a page being replaced is asked again). */
    public void waitFor(String condition) {
        long until = System.nanoTime() + TIMEOUT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < until) {
            try {
                if (evaluate("document.readyState === 'complete' && !!(" + condition + ")").asBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // the execution context went with the old document
                last = e;
            }
            sleep(100);
        }
        throw new IllegalStateException("not within " + TIMEOUT + ": " + condition, last);
    }

    /** Clicks the element as a user does (a click event on it: a radio is checked, a button submits its form). */
    public void click(String selector) {
        evaluate("(() => { const e = document.querySelector(" + quote(selector) + ");"
                + " if (!e) throw new Error('no ' + " + quote(selector) + "); e.click(); return true; })()");
    }

    /** Empties the field and types the text into it, as keyboard input does ({@code Input.insertText}). */
    public void type(String selector, String text) {
        evaluate("(() => { const e = document.querySelector(" + quote(selector) + ");"
                + " if (!e) throw new Error('no ' + " + quote(selector) + "); e.focus(); e.select(); return true; })()");
        send("Input.insertText", JSON.createObjectNode().put("text", text));
    }

    /** Clicks the element and waits for the document it leads to (a form's answer, a link's page). */
    public void clickAndWaitForNextPage(String selector) {
        evaluate("window.__chromiumPageOld = true");
        click(selector);
        waitFor("window.__chromiumPageOld === undefined");
    }

    public String html() {
        return evaluate("document.documentElement.outerHTML").asString();
    }

    public String url() {
        return evaluate("location.href").asString();
    }

    /** A PNG of the whole page (beyond the window, if it is longer). */
    public byte[] screenshot() {
        JsonNode r = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")
                .put("captureBeyondViewport", true));
        return Base64.getDecoder().decode(r.path("data").asString());
    }

    /** Kills the browser and deletes its profile. */
    @Override
    public void close() {
        socket.abort();
        kill(process, profile);
    }

    private static void kill(Process p, Path profile) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> all = Files.walk(profile)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the system cleans up what is left
        }
    }

    private JsonNode send(String method, ObjectNode params) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).join();
        JsonNode response = await(answer, method);
        if (response.has("error")) {
            throw new IllegalStateException(method + ": " + response.path("error"));
        }
        return response.path("result");
    }

    private CompletableFuture<JsonNode> next(String event) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        waiters.computeIfAbsent(event, e -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(f);
        return f;
    }

    private void receive(String text) {
        JsonNode message = JSON.readTree(text);
        if (message.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(message.path("id").asLong());
            if (f != null) {
                f.complete(message);
            }
        } else {
            List<CompletableFuture<JsonNode>> w = waiters.remove(message.path("method").asString());
            if (w != null) {
                w.forEach(f -> f.complete(message.path("params")));
            }
        }
    }

    private static JsonNode await(CompletableFuture<JsonNode> f, String what) {
        try {
            return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("chromium did not answer " + what + " within " + TIMEOUT, e);
        }
    }

    private static String quote(String s) {
        return JSON.writeValueAsString(s);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reassembles the frames of each message (a screenshot comes in many) and hands it on. */
    private static final class Listener implements WebSocket.Listener {
        private final java.util.function.Consumer<String> onMessage;
        private final StringBuilder buffer = new StringBuilder();

        Listener(java.util.function.Consumer<String> onMessage) {
            this.onMessage = onMessage;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String message = buffer.toString();
                buffer.setLength(0);
                onMessage.accept(message);
            }
            webSocket.request(1);
            return null;
        }
    }
}

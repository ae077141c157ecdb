package io.marketbill.billing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands between billing-service and the simulator so tests can break the network: {@link #down()} drops
 * every call unanswered (nothing reaches the marketplace), {@link #answerLost()} lets the call through and
 * then drops the answer (the marketplace took it, we cannot know), {@link #signatureBroken()} spoils the request's
 * signature on the way (as a rotated secret or a skewed signer would), so that the marketplace itself refuses the
 * caller, {@link #up()} forwards faithfully.
 */
public final class MarketplaceProxy {

    private enum Mode { UP, DOWN, ANSWER_LOST, SIGNATURE_BROKEN, ECHO_REWRITTEN }

    static {
        // SigV4 signs the Host header: the proxy must pass the caller's on
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding",
            "expect", "upgrade", "keep-alive");

    private volatile Mode mode = Mode.UP;
    private final AtomicInteger calls = new AtomicInteger();
    private final java.util.List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    private HttpServer server;
    private String target;
    private final HttpClient client = HttpClient.newHttpClient();
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder()
            .build();

    synchronized void start(String target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void up() {
        mode = Mode.UP;
    }

    public void down() {
        mode = Mode.DOWN;
    }

    public void answerLost() {
        mode = Mode.ANSWER_LOST;
    }

    public void signatureBroken() {
        mode = Mode.SIGNATURE_BROKEN;
    }

    /**
     * AWS's answers echo each UsageRecord otherwise than they were sent (its exact echo is not documented): the
     * Timestamp as an ISO-8601 string, without the LicenseArn.
     */
    public void echoRewritten() {
        mode = Mode.ECHO_REWRITTEN;
    }

    /** The bodies of the calls seen so far, as billing-service sent them. */
    public java.util.List<String> bodies() {
        return java.util.List.copyOf(bodies);
    }

    public int calls() {
        return calls.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        bodies.add(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        Mode now = mode;
        if (now == Mode.DOWN) {
            exchange.close(); // no status line at all
            return;
        }
        if (now == Mode.SIGNATURE_BROKEN) {
            // Alibaba signs the form (…&Signature=<base64>), AWS the Authorization header (…, Signature=<hex>)
            body = new String(body, java.nio.charset.StandardCharsets.UTF_8)
                    .replaceAll("Signature=[^&]+", "Signature=AAAA").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                values.forEach(v -> forward.header(name, now == Mode.SIGNATURE_BROKEN && name.equalsIgnoreCase("Authorization")
                        ? v.replaceAll("Signature=[0-9a-f]+", "Signature=" + "0".repeat(64)) : v));
            }
        });
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
            return;
        }
        if (now == Mode.ANSWER_LOST) {
            exchange.close();
            return;
        }
        answer.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
            }
        });
        byte[] out = answer.body();
        if (now == Mode.ECHO_REWRITTEN && answer.statusCode() == 200) {
            tools.jackson.databind.JsonNode tree = JSON.readTree(out);
            if (tree.has("Results")) {
                for (tools.jackson.databind.JsonNode r : tree.path("Results")) {
                    tools.jackson.databind.node.ObjectNode echo = (tools.jackson.databind.node.ObjectNode) r.path("UsageRecord");
                    echo.put("Timestamp", java.time.Instant.ofEpochSecond(echo.path("Timestamp").asLong()).toString());
                    echo.remove("LicenseArn");
                }
                out = JSON.writeValueAsBytes(tree);
            }
        }
        exchange.sendResponseHeaders(answer.statusCode(), out.length == 0 ? -1 : out.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
        }
    }
}

package io.marketbill.binding;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * subscription-service and billing-service as the ops console sees them (one JDK HttpServer, by path), and an
 * address where nothing listens (notification-service down). Remembers each request's Authorization header.
 */
public final class OpsStubs {

    /** "METHOD path" → the Authorization header it came with. */
    public static final Map<String, String> RECEIVED = new ConcurrentHashMap<>();

    private static HttpServer server;
    private static int deadPort;

    private OpsStubs() {
    }

    public static synchronized String url() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", x -> {
                String path = x.getRequestURI().getRawPath();
                String query = x.getRequestURI().getRawQuery();
                RECEIVED.put(x.getRequestMethod() + " " + path + (query == null ? "" : "?" + query),
                        String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
                String body = answer(x.getRequestMethod(), path);
                byte[] bytes = (body == null ? "{\"error\":\"not_found\"}" : body).getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().set("Content-Type", "application/json");
                x.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
                try (OutputStream out = x.getResponseBody()) {
                    out.write(bytes);
                }
            });
            server.start();
        }
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public static synchronized String deadUrl() {
        if (deadPort == 0) {
            try (ServerSocket s = new ServerSocket(0)) {
                deadPort = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return "http://127.0.0.1:" + deadPort;
    }

    private static String answer(String method, String path) {
        if (method.equals("POST")) {
            return path.equals("/api/dead-letters/7/replay") ? "{\"id\":7,\"replayCount\":1}" : null;
        }
        if (path.startsWith("/api/subscriptions/")) {
            return """
                    {"subscriptionId":"stub-subscription","state":"ACTIVE","productCode":"cmgj00063418",
                     "history":[{"state":"OPEN","at":"2026-11-01T00:00:00Z","event":"SubscriptionOpened"},
                                {"state":"ACTIVE","at":"2026-11-02T00:00:00Z","event":"SubscriptionActivated"}]}""";
        }
        return switch (path) {
            case "/api/billing/ledger/summary" -> """
                    {"byMarketplace":[{"marketplace":"aliyun","state":"PENDING","count":3}],"overdue":0,
                     "oldestUnsettledSeconds":5400}""";
            case "/api/billing/ledger" -> """
                    {"records":[{"ledgerId":41,"state":"REJECTED","ageSeconds":7200,
                     "deadline":"2026-11-30T00:00:00Z","lastError":"InvalidInstance.NotFound"}]}""";
            case "/api/billing/balance" -> """
                    {"subject":"org:org-stub","balanced":true,"hours":[{"hourStart":"2026-12-02T08:00:00Z",
                     "dimension":"cu_hours","input":"5","billedReported":"2","billedPending":"0","billedRefused":"0",
                     "notChargeable":"0","vendorBilling":{"UNBOUND":"3"},"balanced":true}],"money":[]}""";
            case "/api/billing/reconciliation" -> """
                    {"differences":[{"kind":"VALUE_MISMATCH","ledgerId":40,"ours":12,"theirs":10}]}""";
            case "/api/dead-letters" -> """
                    [{"id":7,"topic":"marketplace.subscriptions.v1","eventType":"SubscriptionOpened",
                      "exceptionMessage":"stub failure","replayCount":0}]""";
            default -> null;
        };
    }
}

package io.marketbill.localstack.fault;

import io.marketbill.localstack.DevLoginTokens;
import io.marketbill.localstack.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The vendor's organizations as the fault runs make them, through the gateway as real callers do: the operator puts
 * an organization and its admin in the directory, and the admin, signed in through the marketplace's free login,
 * binds a subscription to it. Every call is retried while a service is away (the runs kill them), and each retry is
 * counted by what it waited for.
 */
final class Organizations {

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final HttpClient browser = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, AtomicLong> retries = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final String operator;

    Organizations(LocalStack stack, String operator) {
        this.stack = stack;
        this.operator = operator;
    }

    /** The retries so far, by what they waited for. */
    Map<String, AtomicLong> retries() {
        return retries;
    }

    /** Counts one retry of {@code what} (the runs' own calls count theirs here too, to report them together). */
    void retried(String what) {
        retries.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    /** Puts the organization and its admin in the directory. */
    void create(String organizationId, String name, String admin, String email, String language) throws Exception {
        retrying("directory", () -> api("PUT", gw("/api/directory/organizations/" + enc(organizationId)),
                "{\"name\":\"" + name + "\",\"site\":null}", operatorToken()));
        retrying("directory", () -> api("PUT", gw("/api/directory/organizations/" + enc(organizationId) + "/members/"
                + enc(admin)), "{\"role\":\"ADMIN\",\"email\":\"" + email + "\",\"name\":\"" + name + " admin\","
                + "\"language\":\"" + language + "\"}", operatorToken()));
    }

    /** Free login at the simulated Alibaba for {@code orderBizId}, then {@code admin} binds its subscription. */
    void bind(String orderBizId, String organizationId, String admin) throws Exception {
        String subscriptionId = "aliyun:" + orderBizId;
        Instant until = Instant.now().plus(Duration.ofMinutes(6));
        String last = "";
        String why;
        while (Instant.now().isBefore(until)) {
            try {
                String ticket = ticket(orderBizId);
                HttpResponse<String> r = api("POST", gw("/api/bindings"), "{\"organizationId\":\"" + organizationId
                        + "\",\"ticket\":\"" + ticket + "\"}", token(admin, null));
                if (r.statusCode() == 200 || r.statusCode() == 201) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
                if (r.body().contains("\"already_bound\"") && boundTo(subscriptionId).equals(organizationId)) {
                    return; // an earlier attempt went through, its answer was lost
                }
                String error = field(r.body(), "error");
                why = "bind: " + r.statusCode() + (error == null ? "" : " " + error);
            } catch (IOException e) {
                last = e.toString();
                why = "bind: " + (e.getMessage() != null && e.getMessage().startsWith("no free-login link")
                        ? "instance not yet open at the marketplace" : e.getClass().getSimpleName());
            }
            // down, or not yet known to binding-service (it consumes the subscription while it restarts)
            retried(why);
            Thread.sleep(1100);
        }
        throw new IllegalStateException("binding never succeeded: " + last);
    }

    /** The subscription's bindings, as binding-service shows them to an operator. */
    JsonNode bindingsOf(String subscriptionId) throws Exception {
        HttpResponse<String> r = api("GET", gw("/api/bindings/subscriptions/" + enc(subscriptionId)), null,
                operatorToken());
        if (r.statusCode() != 200) {
            throw new IOException("bindings of " + subscriptionId + ": " + r.statusCode());
        }
        return json.readTree(r.body()).path("bindings");
    }

    static boolean active(JsonNode binding) {
        return binding.path("unboundAt").isNull() || binding.path("unboundAt").isMissingNode();
    }

    /** An operator's token, for calls through the gateway that need one. */
    String operatorToken() throws Exception {
        return token(operator, "operator");
    }

    HttpResponse<String> api(String method, String url, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String gw(String path) {
        return stack.config().url(stack.config().gatewayPort()) + path;
    }

    /** The organization the subscription is bound to now, or "". */
    private String boundTo(String subscriptionId) throws Exception {
        for (JsonNode b : bindingsOf(subscriptionId)) {
            if (active(b)) {
                return b.path("organizationId").asString();
            }
        }
        return "";
    }

    private String ticket(String orderBizId) throws Exception {
        HttpResponse<String> link = http.send(HttpRequest.newBuilder(URI.create(stack.config().url(
                stack.config().simulatorPort()) + "/sim/aliyun/instances/" + orderBizId + "/free-login"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (link.statusCode() != 200) {
            throw new IOException("no free-login link yet: " + link.body());
        }
        String url = field(link.body(), "url");
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("ticket=([^&]+)").matcher(r.headers().firstValue("Location").orElse(""));
        if (r.statusCode() != 302 || !m.find()) {
            throw new IOException("free login answered " + r.statusCode());
        }
        return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    }

    interface Call {
        HttpResponse<String> call() throws Exception;
    }

    /** Calls until the answer is not a connection failure nor a 5xx (a service away), for up to 6 minutes. */
    HttpResponse<String> retrying(String what, Call call) throws Exception {
        Instant until = Instant.now().plus(Duration.ofMinutes(6));
        while (true) {
            try {
                HttpResponse<String> r = call.call();
                if (r.statusCode() < 500 && r.statusCode() != 429) {
                    if (r.statusCode() >= 400) {
                        throw new IllegalStateException(what + " refused: " + r.statusCode() + " " + r.body());
                    }
                    return r;
                }
            } catch (IOException e) {
                // down
            }
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException(what + " kept failing");
            }
            retried(what);
            Thread.sleep(1000);
        }
    }

    private String token(String user, String role) throws Exception {
        String key = user + "|" + role;
        Instant until = Instant.now().plus(Duration.ofMinutes(6));
        while (!tokens.containsKey(key)) {
            try {
                tokens.put(key, DevLoginTokens.fetch(stack.config(), user, role));
            } catch (IOException | IllegalStateException e) {
                if (Instant.now().isAfter(until)) {
                    throw new IllegalStateException("no token for " + user + ": " + e.getMessage());
                }
                retried("token");
                Thread.sleep(1000);
            }
        }
        return tokens.get(key);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

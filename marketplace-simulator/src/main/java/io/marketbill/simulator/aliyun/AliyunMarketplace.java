package io.marketbill.simulator.aliyun;

import io.marketbill.protocols.aliyun.AliyunSpiToken;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alibaba Cloud Marketplace as its SPI documentation describes it (spec §1): buys, renews, upgrades, expires
 * and releases instances by calling the ISV's production URL with signed GET requests, retrying a call that
 * failed (createInstance answered "0", an error, no answer) up to {@code retries} times, and plays the
 * free-login redirect. Everything it did is listed at {@code GET /sim/aliyun/calls}.
 */
@RestController
class AliyunMarketplace {

    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** One SPI notification and how it went. */
    record Call(long id, String action, String instanceId, Map<String, String> params, List<String> answers,
                boolean delivered, Instant firstAt, Instant lastAt) {
    }

    /**
     * What the marketplace knows of an instance. {@code expiredAt}/{@code releasedAt}: when it expired or was released
     * on the marketplace's side (whether or not the ISV acknowledged the notification); metering after that is not
     * billed.
     */
    record Instance(String orderBizId, String productCode, String aliUid, String instanceId, String authUrl,
                    String frontEndUrl, String state, Instant expiredAt, Instant releasedAt) {

        Instance withState(String s) {
            return new Instance(orderBizId, productCode, aliUid, instanceId, authUrl, frontEndUrl, s, expiredAt, releasedAt);
        }

        Instance withEnds(Instant expired, Instant released) {
            return new Instance(orderBizId, productCode, aliUid, instanceId, authUrl, frontEndUrl, state, expired, released);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    // a daemon thread: pending retries must not keep the JVM alive after a shutdown
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aliyun-spi-retries");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final String spiUrl;
    private final String key;
    private final int maxAttempts;
    private final Duration interval;
    private final ZoneId zone;

    AliyunMarketplace(@Value("${simulator.aliyun.spi-url}") String spiUrl, @Value("${simulator.aliyun.spi-key}") String key,
                      @Value("${simulator.aliyun.retries}") int retries,
                      @Value("${simulator.aliyun.retry-interval}") Duration interval,
                      @Value("${simulator.aliyun.time-zone}") ZoneId zone) {
        this.spiUrl = spiUrl;
        this.key = key;
        this.maxAttempts = retries;
        this.interval = interval;
        this.zone = zone;
    }

    /** Buys an instance: {@code {"productCode","skuId","aliUid","trial","billableItems":{}}}. */
    @PostMapping("/sim/aliyun/instances")
    ResponseEntity<Map<String, Object>> buy(@RequestBody Map<String, Object> order) {
        long n = sequence.incrementAndGet();
        String orderBizId = String.valueOf(order.getOrDefault("orderBizId", "SIM" + System.currentTimeMillis() + n));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("action", "createInstance");
        p.put("aliUid", String.valueOf(order.getOrDefault("aliUid", "1880000000000001")));
        p.put("orderBizId", orderBizId);
        p.put("orderId", "ORD" + orderBizId);
        p.put("productCode", String.valueOf(order.get("productCode")));
        p.put("skuId", String.valueOf(order.getOrDefault("skuId", "payg")));
        p.put("trial", String.valueOf(order.getOrDefault("trial", false)));
        if (order.get("billableItems") instanceof Map<?, ?> items) {
            items.forEach((k, v) -> p.put(String.valueOf(k), String.valueOf(v)));
        }
        instances.put(orderBizId, new Instance(orderBizId, p.get("productCode"), p.get("aliUid"), null, null, null,
                "OPENING", null, null));
        Call call = notify("createInstance", orderBizId, p);
        return ResponseEntity.ok(Map.of("orderBizId", orderBizId, "call", call, "instance", instances.get(orderBizId)));
    }

    /** renew | upgrade | refund-renew | expire | release an instance, with the action's parameters in the body. */
    @PostMapping("/sim/aliyun/instances/{instanceId}/{operation}")
    ResponseEntity<?> operate(@PathVariable String instanceId, @PathVariable String operation,
                              @RequestBody(required = false) Map<String, Object> body) {
        Map<String, Object> b = body == null ? Map.of() : body;
        Map<String, String> p = new LinkedHashMap<>();
        String action = switch (operation) {
            case "renew" -> "renewInstance";
            case "upgrade" -> "upgradeInstance";
            case "refund-renew" -> "refundRenewInstance";
            case "expire" -> "expiredInstance";
            case "release" -> "releaseInstance";
            default -> null;
        };
        if (action == null) {
            return ResponseEntity.badRequest().body(Map.of("error", "unknown operation " + operation));
        }
        p.put("action", action);
        p.put("instanceId", instanceId);
        String nextYear = LocalDateTime.now(zone).plusYears(1).format(DATE_TIME);
        switch (action) {
            case "renewInstance" -> {
                p.put("orderId", "REN" + sequence.incrementAndGet());
                p.put("expiredOn", String.valueOf(b.getOrDefault("expiredOn", nextYear)));
            }
            case "upgradeInstance" -> {
                p.put("orderId", "UPG" + sequence.incrementAndGet());
                p.put("skuId", String.valueOf(b.getOrDefault("skuId", "payg-plus")));
                if (b.get("billableItems") instanceof Map<?, ?> items) {
                    items.forEach((k, v) -> p.put(String.valueOf(k), String.valueOf(v)));
                }
            }
            case "refundRenewInstance" -> p.put("expiredOn", String.valueOf(b.getOrDefault("expiredOn", nextYear)));
            case "releaseInstance" -> p.put("isRefund", String.valueOf(b.getOrDefault("isRefund", false)));
            default -> { }
        }
        // the marketplace's own clock of the instance: {"at"} (ISO-8601) backdates the expiry or release, e.g. to
        // replay the PushMeteringData documentation's example (expired at 12:20, 13:00-14:00 not billed)
        Instant at = b.get("at") == null ? Instant.now() : Instant.parse(String.valueOf(b.get("at")));
        instances.computeIfPresent(instanceId, (k, i) -> switch (action) {
            case "expiredInstance" -> i.withEnds(at, i.releasedAt());
            case "releaseInstance" -> i.withEnds(i.expiredAt(), at);
            case "renewInstance" -> i.releasedAt() == null ? i.withEnds(null, null) : i;
            default -> i;
        });
        return ResponseEntity.ok(notify(action, instanceId, p));
    }

    /** The link the buyer's "免登" button opens: the authUrl with action=verify, instanceId, timeStamp, token. */
    @GetMapping("/sim/aliyun/instances/{instanceId}/free-login")
    ResponseEntity<?> freeLogin(@PathVariable String instanceId) {
        Instance i = instances.get(instanceId);
        if (i == null || i.authUrl() == null) {
            return ResponseEntity.status(404).body(Map.of("error", "no opened instance " + instanceId));
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put("action", "verify");
        p.put("instanceId", instanceId);
        p.put("timeStamp", LocalDateTime.now(zone).format(DATE_TIME));
        p.put("token", AliyunSpiToken.compute(p, key));
        return ResponseEntity.ok(Map.of("url", i.authUrl() + (i.authUrl().contains("?") ? "&" : "?") + query(p)));
    }

    @GetMapping("/sim/aliyun/calls")
    List<Call> calls() {
        return calls.values().stream().sorted((a, b) -> Long.compare(a.id(), b.id())).toList();
    }

    @GetMapping("/sim/aliyun/instances")
    List<Instance> instances() {
        return new ArrayList<>(instances.values());
    }

    /** The first moment the instance was expired or released, if it was: usage from then on is not billed. */
    java.util.Optional<Instant> endOf(String instanceId) {
        Instance i = instances.get(instanceId);
        if (i == null) {
            return java.util.Optional.empty();
        }
        return java.util.stream.Stream.of(i.expiredAt(), i.releasedAt()).filter(java.util.Objects::nonNull)
                .min(Instant::compareTo);
    }

    /** The product an instance was bought for, if the marketplace sold it. */
    java.util.Optional<String> productOf(String instanceId) {
        Instance i = instances.get(instanceId);
        return i == null ? java.util.Optional.empty() : java.util.Optional.of(i.productCode());
    }

    /** Sends one notification now, and again later while it has not been accepted. */
    Call notify(String action, String instanceId, Map<String, String> params) {
        long id = sequence.incrementAndGet();
        Map<String, String> signed = new LinkedHashMap<>(params);
        signed.put("token", AliyunSpiToken.compute(params, key));
        Call call = new Call(id, action, instanceId, new TreeMap<>(params), new ArrayList<>(), false, Instant.now(),
                Instant.now());
        calls.put(id, call);
        attempt(id, signed);
        return calls.get(id);
    }

    private void attempt(long id, Map<String, String> signed) {
        Call c = calls.get(id);
        String answer;
        boolean delivered;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(spiUrl + "?" + query(signed)))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            answer = r.statusCode() + " " + r.body();
            delivered = accepted(c.action(), c.instanceId(), r);
        } catch (Exception e) {
            answer = "no answer: " + e.getClass().getSimpleName();
            delivered = false;
        }
        List<String> answers = new ArrayList<>(c.answers());
        answers.add(answer);
        calls.put(id, new Call(id, c.action(), c.instanceId(), c.params(), answers, delivered, c.firstAt(), Instant.now()));
        if (!delivered && answers.size() < maxAttempts) {
            retries.schedule(() -> attempt(id, signed), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private boolean accepted(String action, String instanceId, HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            return false;
        }
        JsonNode body;
        try {
            body = json.readTree(r.body());
        } catch (RuntimeException e) {
            return false;
        }
        if (action.equals("createInstance")) {
            String returned = body.path("instanceId").asString("0");
            if (returned.isEmpty() || returned.equals("0")) {
                return false;
            }
            Instance i = instances.get(instanceId);
            instances.put(instanceId, new Instance(instanceId, i.productCode(), i.aliUid(), returned,
                    body.path("appInfo").path("authUrl").asString(null),
                    body.path("appInfo").path("frontEndUrl").asString(null), "OPENED", i.expiredAt(), i.releasedAt()));
            return true;
        }
        boolean ok = body.path("success").asString("").equals("true") || body.path("success").asBoolean(false);
        if (ok) {
            instances.computeIfPresent(instanceId, (k, i) -> i.withState(switch (action) {
                case "expiredInstance" -> "EXPIRED";
                case "releaseInstance" -> "CLOSED";
                default -> "OPENED";
            }));
        }
        return ok;
    }

    static String query(Map<String, String> p) {
        return p.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}

package io.marketbill.localstack.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Open-loop load at a fixed arrival rate (latency measured from each request's intended send time, so
 * queueing is not hidden): signed Alibaba createInstance callbacks, then the same gateway's trivial
 * {@code /marketplace/ping}, at the same rate. Correctness in the same run: the topic grows by exactly the
 * number of callbacks answered with their instanceId.
 *
 * <p>Usage: {@code CallbackBenchmark <gatewayUrl> <kafkaBootstrap> <spiKey> <rate/s> <warmupSeconds> <seconds>}
 */
public final class CallbackBenchmark {

    record Result(String name, long sent, long ok, long failed, double seconds, Histogram latency) {
        String row() {
            return String.format("| %s | %d | %.0f | %d | %.2f | %.2f | %.2f | %.2f |", name, sent, ok / seconds, failed,
                    ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)),
                    ms(latency.getValueAtPercentile(99.9)), ms(latency.getMaxValue()));
        }

        static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    private static final AtomicLong SEQ = new AtomicLong();

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String kafka = args[1];
        String key = args[2];
        int rate = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        String run = Long.toString(System.currentTimeMillis(), 36);
        HttpClient http = client(gateway);

        System.out.printf("warm-up: %d s of callbacks and pings at %d/s%n", warmup, rate);
        load(http, "warm-up", rate, warmup, i -> i % 2 == 0 ? callback(key, run + "w" + i) : PING, false);

        // signed before the measured run, so the generator spends its CPU on sending, not on MD5 and encoding
        String[] signed = new String[rate * seconds];
        for (int i = 0; i < signed.length; i++) {
            signed[i] = callback(key, run + "m" + i);
        }
        long before = topicEnd(kafka);
        Result callbacks = load(http, "signed createInstance, durable on Kafka (acks=all)", rate, seconds,
                i -> signed[(int) i], true);
        Thread.sleep(1000);
        long written = topicEnd(kafka) - before;
        Result ping = load(http, "trivial endpoint (/marketplace/ping)", rate, seconds, i -> PING, false);

        System.out.println();
        System.out.println("| load | requests | answered OK per s | failed | p50 ms | p99 ms | p99.9 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        System.out.println(callbacks.row());
        System.out.println(ping.row());
        System.out.printf("%nratio callbacks/trivial: p50 %.2f, p99 %.2f, p99.9 %.2f%n",
                ratio(callbacks, ping, 50), ratio(callbacks, ping, 99), ratio(callbacks, ping, 99.9));
        System.out.printf("correctness: %d callbacks answered with their instanceId, %d records added to "
                + "marketplace.subscriptions.v1 (%s)%n", callbacks.ok(), written,
                written == callbacks.ok() ? "equal: none lost, none extra" : "MISMATCH");
        System.exit(written == callbacks.ok() ? 0 : 1);
    }

    /**
     * A bounded pool of keep-alive connections ({@code bench.connections}, default 64); a request waiting for one
     * still counts from its intended time.
     */
    static HttpClient client(String baseUrl) {
        ConnectionProvider pool = ConnectionProvider.builder("bench").maxConnections(
                        Integer.parseInt(System.getProperty("bench.connections", "64")))
                .pendingAcquireMaxCount(-1).pendingAcquireTimeout(Duration.ofSeconds(60)).build();
        return HttpClient.create(pool).baseUrl(baseUrl).responseTimeout(Duration.ofSeconds(30));
    }

    static double ratio(Result a, Result b, double p) {
        return (double) a.latency().getValueAtPercentile(p) / Math.max(1, b.latency().getValueAtPercentile(p));
    }

    interface RequestFactory {
        String make(long i);
    }

    static final String PING = "/marketplace/ping";

    static Result load(HttpClient http, String name, int rate, int seconds, RequestFactory requests, boolean callbacks)
            throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ConcurrentLinkedQueue<CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();
        long total = (long) rate * seconds;
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long intended = start + i * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                // no busy-spinning: on 2 shared cores the generator's CPU is the system's CPU; the few tens of
                // microseconds of wake-up jitter count against us, since latency starts at the intended time
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            String uri = requests.make(i);
            CompletableFuture<?> f = http.get().uri(uri)
                    .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
                            .map(b -> res.status().code() == 200 ? b : "HTTP " + res.status().code()))
                    .toFuture()
                    .whenComplete((body, e) -> {
                        long latency = System.nanoTime() - intended;
                        synchronized (h) {
                            h.recordValue(Math.min(latency, h.getHighestTrackableValue()));
                        }
                        boolean good = e == null && !body.startsWith("HTTP ")
                                && (!callbacks || body.contains("\"instanceId\":\"BENCH-"));
                        (good ? ok : failed).incrementAndGet();
                    });
            inFlight.add(f);
            if (inFlight.size() > 10_000) {
                inFlight.removeIf(CompletableFuture::isDone);
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(name, total, ok.get(), failed.get(), elapsed, h);
    }

    static String callback(String key, String suffix) {
        Map<String, String> p = new TreeMap<>();
        p.put("action", "createInstance");
        p.put("aliUid", "1880000000000001");
        p.put("orderBizId", "BENCH-" + suffix + "-" + SEQ.incrementAndGet());
        p.put("orderId", "O-" + suffix);
        p.put("productCode", "cmgj00063418");
        p.put("skuId", "payg");
        p.put("trial", "false");
        String toSign = p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"))
                + "&key=" + key;
        try {
            p.put("token", HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(toSign.getBytes(StandardCharsets.UTF_8))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String query = p.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(),
                StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return "/marketplace/aliyun/spi?" + query;
    }

    static long topicEnd(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var description = admin.describeTopics(List.of("marketplace.subscriptions.v1")).allTopicNames().get()
                    .get("marketplace.subscriptions.v1");
            Map<TopicPartition, OffsetSpec> request = description.partitions().stream().collect(Collectors.toMap(
                    p -> new TopicPartition("marketplace.subscriptions.v1", p.partition()), p -> OffsetSpec.latest()));
            return admin.listOffsets(request).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }
}

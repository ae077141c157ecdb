package io.marketbill.localstack.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * From a createInstance callback to the pending binding being visible through the API: open-loop signed callbacks
 * at a fixed rate through the gateway; once a callback is answered, {@code GET /api/bindings/subscriptions/{id}}
 * (operator token, through the gateway) is polled every {@code bench.pollMillis} ms until binding-service shows the
 * subscription as bindable. Latency runs from the callback's intended send time to the first such answer, so the
 * poll interval is the measurement's resolution. Correctness in the same run: every answered callback becomes
 * visible.
 *
 * <p>Usage: {@code BindingVisibilityBenchmark <gatewayUrl> <spiKey> <operatorToken> <rate/s> <warmupSeconds> <seconds>}
 */
public final class BindingVisibilityBenchmark {

    private static final Pattern ORDER = Pattern.compile("orderBizId=([^&]+)");

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String key = args[1];
        String token = args[2];
        int rate = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        long pollMillis = Long.parseLong(System.getProperty("bench.pollMillis", "10"));
        String run = Long.toString(System.currentTimeMillis(), 36);
        ConnectionProvider pool = ConnectionProvider.builder("bench").maxConnections(64)
                .pendingAcquireMaxCount(-1).pendingAcquireTimeout(Duration.ofSeconds(60)).build();
        HttpClient http = HttpClient.create(pool).baseUrl(gateway).responseTimeout(Duration.ofSeconds(30))
                .headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token));

        System.out.printf("warm-up: %d s at %d/s%n", warmup, rate);
        measure(http, key, run + "w", rate, warmup, pollMillis);
        Result r = measure(http, key, run + "m", rate, seconds, pollMillis);

        System.out.println();
        System.out.println("| offered rate | callbacks | answered | visible | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |"
                + " callback p99 ms | polls per callback |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        System.out.printf("| %d/s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", rate, r.sent,
                r.answered, r.visible, ms(r.visibleAfter, 50), ms(r.visibleAfter, 90), ms(r.visibleAfter, 99),
                ms(r.visibleAfter, 99.9), r.visibleAfter.getMaxValue() / 1e6, ms(r.answeredAfter, 99),
                (double) r.polls / Math.max(1, r.answered));
        System.out.printf("poll interval %d ms (the resolution); correctness: %s%n", pollMillis,
                r.visible == r.answered && r.answered == r.sent ? "every callback answered and visible" : "MISMATCH");
        System.exit(r.visible == r.answered && r.answered == r.sent ? 0 : 1);
    }

    record Result(long sent, long answered, long visible, long polls, Histogram visibleAfter,
                  Histogram answeredAfter) {
    }

    static double ms(Histogram h, double p) {
        return h.getValueAtPercentile(p) / 1e6;
    }

    static Result measure(HttpClient http, String key, String run, int rate, int seconds, long pollMillis)
            throws Exception {
        Histogram visibleAfter = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        Histogram answeredAfter = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        AtomicLong answered = new AtomicLong();
        AtomicLong visible = new AtomicLong();
        AtomicLong polls = new AtomicLong();
        ConcurrentLinkedQueue<CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();
        long total = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        String[] signed = new String[(int) total];
        for (int i = 0; i < total; i++) {
            signed[i] = CallbackBenchmark.callback(key, run + i);
        }
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            String uri = signed[i];
            Matcher m = ORDER.matcher(uri);
            m.find();
            String path = "/api/bindings/subscriptions/" + URLEncoder.encode("aliyun:" + m.group(1),
                    StandardCharsets.UTF_8);
            CompletableFuture<?> f = http.get().uri(uri)
                    .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
                            .map(b -> res.status().code() == 200 && b.contains("\"instanceId\":\"BENCH-")))
                    .flatMap(ok -> {
                        record(answeredAfter, intended);
                        if (!ok) {
                            return Mono.just(false);
                        }
                        answered.incrementAndGet();
                        return poll(http, path, pollMillis, polls).timeout(Duration.ofSeconds(60));
                    })
                    .toFuture()
                    .whenComplete((ok, e) -> {
                        if (e == null && Boolean.TRUE.equals(ok)) {
                            record(visibleAfter, intended);
                            visible.incrementAndGet();
                        }
                    });
            inFlight.add(f);
            if (inFlight.size() > 10_000) {
                inFlight.removeIf(CompletableFuture::isDone);
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                .get(180, TimeUnit.SECONDS);
        return new Result(total, answered.get(), visible.get(), polls.get(), visibleAfter, answeredAfter);
    }

    private static Mono<Boolean> poll(HttpClient http, String path, long pollMillis, AtomicLong polls) {
        return Mono.defer(() -> {
            polls.incrementAndGet();
            return http.get().uri(path).responseSingle((res, body) -> body.asString().defaultIfEmpty("")
                    .map(b -> res.status().code() == 200 && b.contains("\"bindable\":true")));
        }).flatMap(seen -> seen ? Mono.just(true)
                : Mono.delay(Duration.ofMillis(pollMillis)).then(poll(http, path, pollMillis, polls)));
    }

    private static void record(Histogram h, long intended) {
        long latency = System.nanoTime() - intended;
        synchronized (h) {
            h.recordValue(Math.min(latency, h.getHighestTrackableValue()));
        }
    }
}

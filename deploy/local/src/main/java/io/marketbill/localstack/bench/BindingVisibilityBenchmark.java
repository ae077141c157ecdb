package io.marketbill.localstack.bench;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * From a createInstance callback to the pending binding being visible through the API: open-loop signed callbacks
 * at a fixed rate through the gateway, while one operator client polls {@code GET /api/bindings/pending} (through
 * the gateway, operator token) every {@code bench.pollMillis} ms, paging by {@code recordedAt}. Latency runs from a
 * callback's intended send time to the poll answer that first lists its subscription, so the poll interval plus a
 * poll's own time is the measurement's resolution. Correctness in the same run: every callback is answered and
 * becomes visible.
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
        OpenLoopHttp http = new OpenLoopHttp(gateway, Integer.parseInt(System.getProperty("bench.connections", "64")));

        System.out.printf("warm-up: %d s at %d/s%n", warmup, rate);
        measure(http, gateway, token, key, run + "w", rate, warmup, pollMillis);
        Result r = measure(http, gateway, token, key, run + "m", rate, seconds, pollMillis);

        System.out.println();
        System.out.println("| offered rate | callbacks | answered | visible | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |"
                + " callback p99 ms | polls |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        System.out.printf("| %d/s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", rate, r.sent,
                r.answered, r.visible, ms(r.visibleAfter, 50), ms(r.visibleAfter, 90), ms(r.visibleAfter, 99),
                ms(r.visibleAfter, 99.9), r.visibleAfter.getMaxValue() / 1e6, ms(r.answeredAfter, 99),
                (double) r.polls);
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

    static Result measure(OpenLoopHttp http, String gateway, String token, String key, String run, int rate,
                          int seconds, long pollMillis) throws Exception {
        Histogram visibleAfter = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        AtomicLong visible = new AtomicLong();
        AtomicLong polls = new AtomicLong();
        Map<String, Long> waiting = new ConcurrentHashMap<>();
        long total = (long) rate * seconds;
        String[] signed = new String[(int) total];
        String[] ids = new String[(int) total];
        for (int i = 0; i < total; i++) {
            signed[i] = CallbackBenchmark.callback(key, run + i);
            Matcher m = ORDER.matcher(signed[i]);
            m.find();
            ids[i] = "aliyun:" + m.group(1);
        }
        // one operator console polling the pending list, as an ops screen would, instead of one poll per callback
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread poller = new Thread(() -> pollPending(gateway, token, pollMillis, waiting, visibleAfter, visible, polls,
                sending), "pending-poller");
        poller.start();
        OpenLoopHttp.Result r = http.run(rate, seconds, (i, intended) -> {
            waiting.put(ids[(int) i], intended);
            return signed[(int) i];
        }, (status, b, from, to) -> status == 200 && OpenLoopHttp.indexOf(b, from, to, INSTANCE_ID) >= 0);
        sending.set(false);
        poller.join(TimeUnit.SECONDS.toMillis(90));
        return new Result(total, r.ok(), visible.get(), polls.get(), visibleAfter, r.latency());
    }

    private static final byte[] INSTANCE_ID = "\"instanceId\":\"BENCH-".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static final Pattern PENDING = Pattern.compile(
            "\"subscriptionId\":\"([^\"]+)\"[^}]*?\"recordedAt\":\"([^\"]+)\"");

    /** Polls the pending list until every callback sent was seen (or a minute after the last was sent). */
    private static void pollPending(String gateway, String token, long pollMillis, Map<String, Long> waiting,
                                    Histogram visibleAfter, AtomicLong visible, AtomicLong polls, AtomicBoolean sending) {
        // HTTP/1.1: the JDK client would otherwise offer an h2c upgrade on every plain-HTTP connection
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        String since = Instant.now().minusSeconds(2).toString();
        long giveUp = Long.MAX_VALUE;
        while (sending.get() || (!waiting.isEmpty() && System.nanoTime() < giveUp)) {
            if (!sending.get() && giveUp == Long.MAX_VALUE) {
                giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            }
            try {
                polls.incrementAndGet();
                String body = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway
                                + "/api/bindings/pending?limit=5000&since=" + since))
                        .header("Authorization", "Bearer " + token).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                long now = System.nanoTime();
                Matcher m = PENDING.matcher(body);
                while (m.find()) {
                    Long intended = waiting.remove(m.group(1));
                    if (intended != null) {
                        record(visibleAfter, intended, now);
                        visible.incrementAndGet();
                    }
                    since = m.group(2);
                }
                Thread.sleep(pollMillis);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    return;
                }
            }
        }
    }

    private static void record(Histogram h, long intended, long at) {
        synchronized (h) {
            h.recordValue(Math.min(at - intended, h.getHighestTrackableValue()));
        }
    }

}

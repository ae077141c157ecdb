package io.marketbill.localstack.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

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
        OpenLoopHttp http = new OpenLoopHttp(gateway, Integer.parseInt(System.getProperty("bench.connections", "64")));

        // the warm-up runs each kind of request at the full rate, so that the JIT has compiled the paths the
        // measured runs take at that rate (a warm-up at half the rate left seconds of slow start in the measurement)
        System.out.printf("warm-up: %d s of callbacks, then %d s of pings, at %d/s%n", warmup, Math.max(5, warmup / 4), rate);
        load(http, "warm-up (callbacks)", rate, warmup, i -> callback(key, run + "w" + i), false);
        load(http, "warm-up (pings)", rate, Math.max(5, warmup / 4), i -> PING, false);

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

    static double ratio(Result a, Result b, double p) {
        return (double) a.latency().getValueAtPercentile(p) / Math.max(1, b.latency().getValueAtPercentile(p));
    }

    interface RequestFactory {
        String make(long i);
    }

    static final String PING = "/marketplace/ping";

    static Result load(OpenLoopHttp http, String name, int rate, int seconds, RequestFactory requests,
                       boolean callbacks) throws Exception {
        java.time.Duration cpu = ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
        OpenLoopHttp.Result r = http.run(rate, seconds, (i, intended) -> requests.make(i), (status, b, from, to) ->
                status == 200 && (!callbacks || OpenLoopHttp.indexOf(b, from, to, INSTANCE_ID) >= 0));
        double cores = (ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO)
                .minus(cpu).toMillis() / 1000.0) / r.seconds();
        System.out.printf("%s: the generator used %.2f of a core; seconds with a request over 25 ms:%s%n", name,
                cores, r.slowSeconds().isEmpty() ? " none" : r.slowSeconds());
        return new Result(name, r.sent(), r.ok(), r.failed(), r.seconds(), r.latency());
    }

    private static final byte[] INSTANCE_ID = "\"instanceId\":\"BENCH-".getBytes(StandardCharsets.UTF_8);

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

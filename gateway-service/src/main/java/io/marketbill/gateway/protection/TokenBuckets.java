package io.marketbill.gateway.protection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key (a source address, a usage producer): a burst of {@code burst} calls, refilled at
 * {@code perSecond}. Per gateway replica. Bounded: past {@code maxKeys} keys it starts over rather than grow.
 */
public final class TokenBuckets {

    private final double perSecond;
    private final double burst;
    private final int maxKeys;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public TokenBuckets(double perSecond, double burst, int maxKeys) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxKeys = maxKeys;
    }

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    /** Takes one token of {@code key}'s bucket at {@code now} ({@link System#nanoTime()}), if there is one. */
    public boolean tryAcquire(String key, long now) {
        if (buckets.size() > maxKeys) {
            buckets.clear(); // a flood of spoofed sources: start over rather than grow without bound
        }
        Bucket b = buckets.computeIfAbsent(key, s -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.updatedNanos) / 1e9 * perSecond);
            b.updatedNanos = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }
}

package io.marketbill.gateway.protection;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MarketplaceRateLimitTest {

    @Test
    void aSourceGetsItsBurstThenTheRefillRateAndOthersAreNotAffected() {
        MarketplaceRateLimit limit = new MarketplaceRateLimit(10, 5, java.util.List.of(), new SimpleMeterRegistry());
        long t = 1_000_000_000L;
        for (int i = 0; i < 5; i++) {
            assertThat(limit.tryAcquire("10.0.0.1", t)).isTrue();
        }
        assertThat(limit.tryAcquire("10.0.0.1", t)).isFalse();
        assertThat(limit.tryAcquire("10.0.0.2", t)).isTrue();
        // 100 ms at 10/s refills one call
        assertThat(limit.tryAcquire("10.0.0.1", t + 100_000_000L)).isTrue();
        assertThat(limit.tryAcquire("10.0.0.1", t + 100_000_000L)).isFalse();
        // never more than the burst, however long the pause
        long later = t + 3_600_000_000_000L;
        int allowed = 0;
        for (int i = 0; i < 20; i++) {
            allowed += limit.tryAcquire("10.0.0.1", later) ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(5);
    }
}

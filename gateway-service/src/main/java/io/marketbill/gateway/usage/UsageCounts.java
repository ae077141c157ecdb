package io.marketbill.gateway.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * {@code marketbill_usage_received_total{producer,outcome,reason}}: events received, by what became of them.
 * Outcome {@code accepted} (reason {@code none}), {@code rejected} (the reason code) or {@code unavailable}
 * (Kafka did not take them; reason {@code kafka}). A request refused as a whole before its events could be
 * counted (no key, too large, wrong content type, rate limited, not JSON) counts once, as one rejection.
 * Every series carries all three tags, as Prometheus wants one tag set per name.
 */
@Component
class UsageCounts {

    static final String UNKNOWN_PRODUCER = "unknown";

    private final MeterRegistry meters;

    UsageCounts(MeterRegistry meters) {
        this.meters = meters;
    }

    void accepted(String producer, int n) {
        count(producer, "accepted", "none", n);
    }

    void rejected(String producer, String reason, int n) {
        count(producer, "rejected", reason, n);
    }

    void unavailable(String producer, int n) {
        count(producer, "unavailable", "kafka", n);
    }

    private void count(String producer, String outcome, String reason, int n) {
        if (n > 0) {
            Counter.builder("marketbill.usage.received").description("Usage events posted to /api/usage, by outcome")
                    .tag("producer", producer).tag("outcome", outcome).tag("reason", reason)
                    .register(meters).increment(n);
        }
    }
}

package io.marketbill.gateway.usage;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code marketbill.usage.*}: who may post usage to {@code POST /api/usage}, and how much at once.
 *
 * @param maxBody   the largest body accepted (1 MB); over it: 413
 * @param maxBatch  the most events in one batch (1000); over it: 413
 * @param producers the usage producers; none: every call is refused (401)
 * @param rateLimit per producer and gateway replica, in requests (not events)
 */
@ConfigurationProperties("marketbill.usage")
record UsageProperties(DataSize maxBody, Integer maxBatch, List<ProducerEntry> producers, RateLimit rateLimit) {

    UsageProperties {
        maxBody = maxBody == null ? DataSize.ofMegabytes(1) : maxBody;
        maxBatch = maxBatch == null ? 1000 : maxBatch;
        producers = producers == null ? List.of() : List.copyOf(producers);
        rateLimit = rateLimit == null ? new RateLimit(null, null) : rateLimit;
        if (maxBody.toBytes() < 1 || maxBody.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalStateException("marketbill.usage.max-body must be between 1 byte and 2 GB");
        }
        if (maxBatch < 1) {
            throw new IllegalStateException("marketbill.usage.max-batch must be at least 1");
        }
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < producers.size(); i++) {
            ProducerEntry p = producers.get(i);
            String where = "marketbill.usage.producers[" + i + "]";
            if (p.name() == null || p.name().isBlank() || !names.add(p.name())) {
                throw new IllegalStateException(where + ".name is missing or used twice");
            }
            if (p.keySha256() == null || !p.keySha256().strip().matches("[0-9a-fA-F]{64}")) {
                throw new IllegalStateException(where + ".key-sha256 (producer " + p.name()
                        + ") must be the hex SHA-256 of its API key (64 hex digits)");
            }
            // two producers with one key could not be told apart
            if (!hashes.add(p.keySha256().strip().toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalStateException(where + ".key-sha256 (producer " + p.name()
                        + ") is another producer's key");
            }
            if (p.sources() == null || p.sources().isEmpty() || p.sources().stream().anyMatch(s -> s == null || s.isBlank())) {
                throw new IllegalStateException(where + ".sources (producer " + p.name()
                        + ") must list the CloudEvents source prefixes it may use, e.g. //emqx.example/");
            }
            // a prefix that ends inside a name would also admit //emqx.example.evil/... (security review, finding 19)
            for (String source : p.sources()) {
                if (!source.endsWith("/") && !source.endsWith(":")) {
                    throw new IllegalStateException(where + ".sources (producer " + p.name() + "): \"" + source
                            + "\" must end in / or : (as //emqx.example/ or urn:emqx:), or it also admits every "
                            + "source that merely starts with it");
                }
            }
        }
    }

    /**
     * One producer of usage.
     *
     * @param name      names it in metrics and logs
     * @param keySha256 the hex SHA-256 of its API key: the configuration holds no key
     * @param sources   the CloudEvents {@code source} prefixes its events may carry (end one with "/" so that
     *                  {@code //emqx.example/} does not also admit {@code //emqx.example.evil/})
     */
    record ProducerEntry(String name, String keySha256, List<String> sources) {

        @Override
        public String toString() {
            // a weak key could be found from its hash: keep the hash out of logs too
            return "ProducerEntry[name=" + name + ", keySha256=<hidden>, sources=" + sources + "]";
        }
    }

    /**
     * @param perSecond refill rate (200 requests a second)
     * @param burst     bucket size (400 requests)
     */
    record RateLimit(Double perSecond, Double burst) {

        RateLimit {
            perSecond = perSecond == null ? 200.0 : perSecond;
            burst = burst == null ? 400.0 : burst;
        }
    }
}

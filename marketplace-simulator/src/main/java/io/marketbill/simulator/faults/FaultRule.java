package io.marketbill.simulator.faults;

import java.time.Duration;

/**
 * One switchable fault, as posted to {@code POST /sim/faults} or configured under {@code simulator.faults.rules[n]}.
 *
 * @param marketplace {@code aws}, {@code aliyun}, or {@code any} (the default)
 * @param kind        see {@link FaultKind}; case and {@code -} / {@code _} do not matter
 * @param rate        the chance (0..1) that a call (for {@code POISONED_RECORD}: a batch without a poisoned record yet)
 *                    is hit; default 1
 * @param count       how many calls (for {@code POISONED_RECORD}: records) the rule hits before it is spent; default
 *                    unlimited
 * @param seed        the seed of the rule's random draws (rate, the records chosen), so that a run repeats; default 0
 * @param delay       {@code TIMEOUT} only: how long the answer waits (ISO-8601 or {@code 30s}); default 30 s
 * @param error       {@code POISONED_RECORD} on AWS only: the exception named in {@code __type}, e.g.
 *                    {@code InvalidLicenseException}; default {@code InvalidUsageDimensionException}
 * @param match       {@code POISONED_RECORD} only: poison every record whose key contains this text instead of drawing
 *                    one (AWS key {@code <customer>|<dimension>|<hour>}, Alibaba {@code <InstanceId>|<meteringAssit>|<StartTime>})
 */
public record FaultRule(String marketplace, String kind, Double rate, Integer count, Long seed, Duration delay,
                        String error, String match) {

    FaultKind parsedKind() {
        return FaultKind.parse(kind);
    }

    boolean appliesTo(String m) {
        return marketplace == null || marketplace.isBlank() || marketplace.equalsIgnoreCase("any")
                || marketplace.equalsIgnoreCase(m);
    }
}

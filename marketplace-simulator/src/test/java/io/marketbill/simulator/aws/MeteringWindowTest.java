package io.marketbill.simulator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** BatchMeterUsage's time windows, per profile. The old simulator had one fixed 6 h window and took +1 h. */
class MeteringWindowTest {

    static final Duration NONE = Duration.ZERO;

    static boolean accepts(MeteringWindow w, String at, String now) {
        return w.refusal(Instant.parse(at), Instant.parse(now), NONE, null).isEmpty();
    }

    @Test
    void globalTakesUnder24HoursAndThePreviousMonthOnlyUntil0600UtcOnThe1st() {
        assertThat(accepts(MeteringWindow.GLOBAL, "2026-11-20T10:00:01Z", "2026-11-21T10:00:00Z")).isTrue();
        assertThat(accepts(MeteringWindow.GLOBAL, "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"))
                .as("24 hours or more after the event").isFalse();
        // "you must submit March usage records before 06:00 UTC on April 1"
        assertThat(accepts(MeteringWindow.GLOBAL, "2026-11-30T23:00:00Z", "2026-12-01T05:59:59Z")).isTrue();
        assertThat(accepts(MeteringWindow.GLOBAL, "2026-11-30T23:00:00Z", "2026-12-01T06:00:00Z"))
                .as("previous month after the grace, though under 24 h").isFalse();
        assertThat(accepts(MeteringWindow.GLOBAL, "2026-12-01T00:00:00Z", "2026-12-01T07:00:00Z")).isTrue();
    }

    @Test
    void chinaTakesOneHourAndLegacySix() {
        assertThat(accepts(MeteringWindow.CHINA_1H, "2026-11-21T09:00:01Z", "2026-11-21T10:00:00Z")).isTrue();
        assertThat(accepts(MeteringWindow.CHINA_1H, "2026-11-21T08:59:00Z", "2026-11-21T10:00:00Z")).isFalse();
        assertThat(accepts(MeteringWindow.LEGACY_6H, "2026-11-21T04:30:00Z", "2026-11-21T10:00:00Z")).isTrue();
        assertThat(accepts(MeteringWindow.LEGACY_6H, "2026-11-21T03:59:00Z", "2026-11-21T10:00:00Z")).isFalse();
    }

    @Test
    void noProfileTakesTheFutureUnlessToleranceIsConfigured() {
        for (MeteringWindow w : MeteringWindow.values()) {
            assertThat(accepts(w, "2026-11-21T10:00:01Z", "2026-11-21T10:00:00Z")).as(w.name()).isFalse();
            assertThat(w.refusal(Instant.parse("2026-11-21T10:04:00Z"), Instant.parse("2026-11-21T10:00:00Z"),
                    Duration.ofMinutes(5), null)).as(w.name()).isEmpty();
        }
    }

    @Test
    void regionsDefaultToTheirProfileAndAFixedWindowReplacesIt() {
        assertThat(MeteringWindow.forRegion("cn-northwest-1")).isEqualTo(MeteringWindow.LEGACY_6H);
        assertThat(MeteringWindow.forRegion("us-east-1")).isEqualTo(MeteringWindow.GLOBAL);
        assertThat(MeteringWindow.GLOBAL.refusal(Instant.parse("2026-11-21T07:00:00Z"), Instant.parse("2026-11-21T10:00:00Z"),
                NONE, Duration.ofHours(2))).isPresent();
    }
}

package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Conservation of usage in the attribution: over random usage, bindings and re-bindings, freezes, resumes and
 * closes, switch windows, upgrades, trials and clouds, every micro-unit of every subject, dimension and cloud ends
 * in exactly one place (billed to one subscription at one plan, or kept for the vendor's billing with one reason),
 * whatever the order the minutes come in (held for a switch window counts as a place: it is settled later, as a
 * whole). The billed part's money law is Rating's (RatingPropertiesTest).
 */
class AttributionPropertiesTest {

    static final Instant HOUR = Instant.parse("2026-12-02T08:00:00Z");
    static final List<String> DIMENSIONS = List.of("cu_hours", "storage_gb_hours");
    static final List<String> CLOUDS = java.util.Arrays.asList(null, "aws", "azure");

    /** A random world: organizations, subscriptions (some never opened), bindings, switches and plans. */
    record World(List<Attribution.Minute> minutes, Attribution.Facts facts) {
    }

    static World world(long seed, int organizations, int subscriptions, int minutes) {
        Random r = new Random(seed);
        Map<String, List<Attribution.Bound>> bindings = new HashMap<>();
        Map<String, List<Attribution.Window>> windows = new HashMap<>();
        Map<String, List<Attribution.Switch>> switches = new HashMap<>();
        Map<String, List<Attribution.PlanFrom>> plans = new HashMap<>();
        List<String> known = new ArrayList<>();
        for (int s = 0; s < subscriptions; s++) {
            String id = "aliyun:S" + s;
            if (r.nextInt(5) > 0) {
                known.add(id);
            }
            List<Attribution.Switch> sw = new ArrayList<>();
            int t = r.nextInt(20);
            sw.add(new Attribution.Switch("BILLING", at(t)));
            for (int k = 0; k < r.nextInt(4); k++) {
                t += 1 + r.nextInt(20);
                sw.add(new Attribution.Switch(List.of("PAUSED", "BILLING", "ENDED").get(r.nextInt(3)), at(t)));
            }
            switches.put(id, sw);
            List<Attribution.PlanFrom> p = new ArrayList<>();
            int u = r.nextInt(30);
            p.add(new Attribution.PlanFrom("payg", r.nextBoolean(), at(u)));
            if (r.nextBoolean()) {
                p.add(new Attribution.PlanFrom("pro", false, at(u + 1 + r.nextInt(30))));
            }
            plans.put(id, p);
        }
        for (int o = 0; o < organizations; o++) {
            List<Attribution.Bound> b = new ArrayList<>();
            int t = r.nextInt(30);
            while (t < 60 && r.nextInt(3) > 0) {
                int end = t + 1 + r.nextInt(40);
                b.add(new Attribution.Bound("aliyun:S" + r.nextInt(Math.max(1, subscriptions)), at(t),
                        r.nextBoolean() ? null : at(end)));
                int gap = r.nextInt(5);
                if (gap > 0 && b.getLast().to() != null && r.nextBoolean()) {
                    // closed: a switch window until the next binding (or an earlier end, or still open)
                    int to = end + gap - r.nextInt(gap + 1);
                    windows.computeIfAbsent("org" + o, k -> new ArrayList<>()).add(new Attribution.Window(
                            b.getLast().subscriptionId(), at(end), r.nextInt(4) == 0 ? null : at(to)));
                }
                t = end + gap;
            }
            bindings.put("org" + o, b);
        }
        List<Attribution.Minute> ms = new ArrayList<>();
        for (int i = 0; i < minutes; i++) {
            String subject = r.nextInt(4) == 0 ? "sub:aliyun:S" + r.nextInt(Math.max(1, subscriptions) + 1)
                    : "org:org" + r.nextInt(Math.max(1, organizations));
            ms.add(new Attribution.Minute(subject, DIMENSIONS.get(r.nextInt(2)), CLOUDS.get(r.nextInt(CLOUDS.size())),
                    at(r.nextInt(60)),
                    1 + r.nextInt(5_000_000)));
        }
        Attribution.Facts facts = new Attribution.Facts() {
            @Override
            public List<Attribution.Bound> bindingsOf(String organizationId) {
                return bindings.getOrDefault(organizationId, List.of());
            }

            @Override
            public List<Attribution.Window> windowsOf(String organizationId) {
                return windows.getOrDefault(organizationId, List.of());
            }

            @Override
            public boolean knows(String subscriptionId) {
                return known.contains(subscriptionId);
            }

            @Override
            public List<Attribution.Switch> switchesOf(String subscriptionId) {
                return switches.getOrDefault(subscriptionId, List.of());
            }

            @Override
            public List<Attribution.PlanFrom> plansOf(String subscriptionId) {
                return plans.getOrDefault(subscriptionId, List.of());
            }

            @Override
            public Attribution.Priced currentPlan(String subscriptionId) {
                return new Attribution.Priced("payg", false);
            }
        };
        return new World(ms, facts);
    }

    static Instant at(int minute) {
        return HOUR.plus(Duration.ofMinutes(minute));
    }

    /** Where everything went, per subject, dimension and cloud, summed over every place. */
    static Map<String, Long> outcome(Attribution a, World w) {
        Map<String, Long> out = new HashMap<>();
        for (String sub : a.billedSubscriptions()) {
            for (String dimension : a.dimensions(sub)) {
                a.billed(sub, dimension).forEach((plan, bySubject) -> bySubject.forEach((subject, m) ->
                        out.merge(subject + "|" + dimension + "|" + plan.cloud(), m, Long::sum)));
            }
        }
        a.unbilled().forEach((k, m) -> out.merge(k.subject() + "|" + k.dimension() + "|" + k.cloud(), m, Long::sum));
        a.held().forEach((k, m) -> out.merge(k.subject() + "|" + k.dimension() + "|" + k.cloud(), m, Long::sum));
        return out;
    }

    @Property(tries = 300)
    void everyMicroUnitEndsInExactlyOnePlace(@ForAll long seed, @ForAll @IntRange(min = 0, max = 6) int organizations,
                                             @ForAll @IntRange(min = 0, max = 6) int subscriptions,
                                             @ForAll @IntRange(min = 0, max = 300) int minutes) {
        World w = world(seed, organizations, subscriptions, minutes);
        Map<String, Long> input = new HashMap<>();
        w.minutes().forEach(m -> input.merge(m.subject() + "|" + m.dimension() + "|" + m.cloud(), m.micros(),
                Long::sum));
        assertThat(outcome(Attribution.of(w.minutes(), w.facts(), null), w)).isEqualTo(input);
    }

    @Property(tries = 200)
    void theOrderTheMinutesComeInChangesNothing(@ForAll long seed, @ForAll @LongRange(min = 0, max = 1000) long shuffle) {
        World w = world(seed, 4, 4, 200);
        List<Attribution.Minute> shuffled = new ArrayList<>(w.minutes());
        Collections.shuffle(shuffled, new Random(shuffle));
        Attribution a = Attribution.of(w.minutes(), w.facts(), null);
        Attribution b = Attribution.of(shuffled, w.facts(), null);
        assertThat(b.unbilled()).isEqualTo(a.unbilled());
        assertThat(b.held()).isEqualTo(a.held());
        assertThat(b.billedSubscriptions()).isEqualTo(a.billedSubscriptions());
        for (String sub : a.billedSubscriptions()) {
            for (String dimension : a.dimensions(sub)) {
                assertThat(b.billed(sub, dimension)).isEqualTo(a.billed(sub, dimension));
            }
        }
    }

    /**
     * The switch window, minute by minute: a minute ending after the close and no later than the window's end is held
     * for it; one ending after the end is unbound; the subscription bound at the end takes the minutes after it.
     */
    @org.junit.jupiter.api.Test
    void aSwitchWindowHoldsTheMinutesBetweenTheCloseAndTheNextBinding() {
        List<Attribution.Bound> bindings = List.of(new Attribution.Bound("aliyun:A", at(0), at(10)),
                new Attribution.Bound("aliyun:B", at(20), null));
        List<Attribution.Window> windows = List.of(new Attribution.Window("aliyun:A", at(10), at(20)),
                new Attribution.Window("aliyun:X", at(40), at(45)));
        Attribution.Facts facts = new Attribution.Facts() {
            public List<Attribution.Bound> bindingsOf(String o) {
                return o.equals("o") ? bindings : List.of(new Attribution.Bound("aliyun:X", at(0), at(40)));
            }

            public List<Attribution.Window> windowsOf(String o) {
                return o.equals("o") ? windows.subList(0, 1) : windows.subList(1, 2);
            }

            public boolean knows(String s) {
                return true;
            }

            public List<Attribution.Switch> switchesOf(String s) {
                return List.of(new Attribution.Switch("BILLING", at(0)));
            }

            public List<Attribution.PlanFrom> plansOf(String s) {
                return List.of();
            }

            public Attribution.Priced currentPlan(String s) {
                return new Attribution.Priced("payg", false);
            }
        };
        List<Attribution.Minute> minutes = new ArrayList<>();
        for (int m : new int[] {9, 10, 18, 19, 20}) {
            minutes.add(new Attribution.Minute("org:o", "cu_hours", null, at(m), 1_000_000L << m));
        }
        for (int m : new int[] {43, 44, 45}) {
            minutes.add(new Attribution.Minute("org:p", "cu_hours", null, at(m), 1_000_000L << m));
        }
        Attribution a = Attribution.of(minutes, facts, null);
        // 09 (ends 10: A's), 10 and 18 held, 19 (ends 20: B bound from 20 does not cover it) held, 20 B's
        assertThat(a.bySubject("aliyun:A", "cu_hours")).isEqualTo(Map.of("org:o", 1_000_000L << 9));
        assertThat(a.bySubject("aliyun:B", "cu_hours")).isEqualTo(Map.of("org:o", 1_000_000L << 20));
        assertThat(a.held()).containsEntry(new Attribution.Held("org:o", "cu_hours", null, "aliyun:A"),
                (1_000_000L << 10) + (1_000_000L << 18) + (1_000_000L << 19));
        // the window of p ended at 45 without a binding: 43 held (ends 44), 44 held (ends 45), 45 unbound
        assertThat(a.held()).containsEntry(new Attribution.Held("org:p", "cu_hours", null, "aliyun:X"),
                (1_000_000L << 43) + (1_000_000L << 44));
        assertThat(a.unbilled()).isEqualTo(Map.of(new Attribution.Unbilled("org:p", "cu_hours", Disposition.UNBOUND, null),
                1_000_000L << 45));
    }

    /** A final flush attributes only its subscription's minutes, and those exactly as a full close would. */
    @Property(tries = 200)
    void aFlushOfOneSubscriptionTakesItsShareOfTheFullAttribution(@ForAll long seed,
                                                                 @ForAll @IntRange(min = 0, max = 5) int which) {
        World w = world(seed, 4, 6, 250);
        String only = "aliyun:S" + which;
        Attribution full = Attribution.of(w.minutes(), w.facts(), null);
        Attribution flush = Attribution.of(w.minutes(), w.facts(), only);
        assertThat(flush.billedSubscriptions()).isSubsetOf(List.of(only));
        for (String dimension : DIMENSIONS) {
            assertThat(flush.billed(only, dimension)).isEqualTo(full.billed(only, dimension));
        }
    }

    /**
     * A price change applies from its minute: with plans changing at random seconds of the hour, each minute is
     * billed at the plan in force at its end (a change inside a minute governs all of it) and the hour costs exactly
     * the sum of its minutes at their own prices. The oracle walks the minutes one by one; the code under test
     * groups them by plan (Attribution) and rates the parts (Rating).
     */
    @Property(tries = 500)
    void aPriceChangeAppliesFromTheMinuteItHappens(@ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int changes,
                                                   @ForAll @IntRange(min = 1, max = 120) int minutes) {
        Random r = new Random(seed);
        List<String> skus = List.of("basic", "pro", "ultra");
        Map<String, java.math.BigDecimal> price = Map.of("basic", new java.math.BigDecimal("1250"),
                "pro", new java.math.BigDecimal("2500.5"), "ultra", new java.math.BigDecimal("0.001"));
        List<Attribution.PlanFrom> plans = new ArrayList<>();
        plans.add(new Attribution.PlanFrom("basic", false, HOUR.minusSeconds(1 + r.nextInt(7200))));
        int second = 0;
        for (int c = 0; c < changes; c++) {
            second += 1 + r.nextInt(900);
            plans.add(new Attribution.PlanFrom(skus.get(r.nextInt(3)), false, HOUR.plusSeconds(second)));
        }
        Attribution.Facts facts = new Attribution.Facts() {
            public List<Attribution.Bound> bindingsOf(String o) {
                return List.of(new Attribution.Bound("aliyun:P", HOUR.minusSeconds(3600), null));
            }

            public List<Attribution.Window> windowsOf(String o) {
                return List.of();
            }

            public boolean knows(String s) {
                return true;
            }

            public List<Attribution.Switch> switchesOf(String s) {
                return List.of(new Attribution.Switch("BILLING", HOUR.minusSeconds(3600)));
            }

            public List<Attribution.PlanFrom> plansOf(String s) {
                return plans;
            }

            public Attribution.Priced currentPlan(String s) {
                throw new AssertionError("every minute has a recorded plan");
            }
        };
        List<Attribution.Minute> ms = new ArrayList<>();
        java.math.BigDecimal expected = java.math.BigDecimal.ZERO;
        Map<String, Long> expectedPerSku = new HashMap<>();
        for (int i = 0; i < minutes; i++) {
            int minute = r.nextInt(60);
            long micros = 1 + r.nextInt(3_000_000);
            ms.add(new Attribution.Minute(r.nextBoolean() ? "org:o" : "sub:aliyun:P", "cu_hours", null, at(minute),
                    micros));
            // the oracle: the last change strictly before the minute's end, found by walking the list
            long end = HOUR.getEpochSecond() + 60L * (minute + 1);
            String sku = null;
            for (Attribution.PlanFrom p : plans) {
                if (p.from().getEpochSecond() < end) {
                    sku = p.sku();
                }
            }
            expectedPerSku.merge(sku, micros, Long::sum);
            expected = expected.add(java.math.BigDecimal.valueOf(micros, 6).multiply(price.get(sku)));
        }
        Attribution a = Attribution.of(ms, facts, null);
        Map<String, Long> perSku = new HashMap<>();
        List<Rating.Part> parts = new ArrayList<>();
        a.billed("aliyun:P", "cu_hours").forEach((plan, bySubject) -> {
            long sum = bySubject.values().stream().mapToLong(Long::longValue).sum();
            perSku.merge(plan.sku(), sum, Long::sum);
            parts.add(new Rating.Part(sum, price.get(plan.sku())));
        });
        assertThat(perSku).isEqualTo(expectedPerSku);
        java.math.BigDecimal carryIn = java.math.BigDecimal.valueOf(r.nextInt(10));
        Rating.Rated rated = Rating.rate(parts, carryIn, 10, false);
        assertThat(java.math.BigDecimal.valueOf(rated.units()).add(rated.carry()))
                .isEqualByComparingTo(carryIn.add(expected));
        assertThat(rated.units() % 10).isZero();
        assertThat(rated.carry()).isLessThan(java.math.BigDecimal.TEN);
    }
}

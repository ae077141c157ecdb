package io.marketbill.billing.rating;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who pays for each minute of an hour's usage: the rule, with no Spring and no SQL (the facts come through
 * {@link Facts}). A minute goes by how things stood at its end: a change during a minute governs all of it. Usage
 * addressed to a subscription is that subscription's; usage of an organization is the subscription bound to it at
 * that minute. It is billed while that subscription was billing, at the plan (SKU, trial) in force; otherwise it is
 * kept, with why, for the vendor's own billing. A minute of an organization bound to nothing, inside a switch window
 * (after its subscription closed, until another is bound within the grace period or the close action runs), is held
 * for that window: who pays for it is known once the window ends. Every minute ends in exactly one place, which is what conservation
 * of usage rests on ({@code AttributionPropertiesTest}).
 */
final class Attribution {

    /** One minute's usage of one subject ({@code sub:<id>} or {@code org:<id>}) and dimension. */
    record Minute(String subject, String dimension, String cloud, Instant at, long micros) {
    }

    /** A subscription bound to an organization from a time, until another (null: still bound). */
    record Bound(String subscriptionId, Instant from, Instant to) {
    }

    /**
     * A switch window of an organization: from the close of {@code closedSubscriptionId} ({@code from}, null while
     * unknown) until it was resolved ({@code to}, null while open).
     */
    record Window(String closedSubscriptionId, Instant from, Instant to) {
    }

    /** Billing switched to {@code metering} (BILLING, PAUSED, ENDED) at a time. */
    record Switch(String metering, Instant at) {
    }

    /** A plan (the SKU, whether a trial) in force from a time on. */
    record PlanFrom(String sku, boolean trial, Instant from) {
    }

    /** How a minute is priced: at its SKU, and whether it was a trial minute. */
    record Priced(String sku, boolean trial, String cloud) {
        Priced(String sku, boolean trial) {
            this(sku, trial, null);
        }

        /** The same plan for usage on {@code cloud} (null: it did not say), which a listing may price apart. */
        Priced on(String cloud) {
            return new Priced(sku, trial, cloud);
        }
    }

    /** What the attribution needs to know; each looked up at most once per subject or subscription. */
    interface Facts {
        List<Bound> bindingsOf(String organizationId);

        List<Window> windowsOf(String organizationId);

        boolean knows(String subscriptionId);

        List<Switch> switchesOf(String subscriptionId);

        List<PlanFrom> plansOf(String subscriptionId);

        /** The plan when none was recorded (subscriptions older than the plan history). */
        Priced currentPlan(String subscriptionId);
    }

    // subscription -> dimension -> plan in force -> subject -> micros
    private final Map<String, Map<String, Map<Priced, Map<String, Long>>>> billed = new HashMap<>();
    // subject, dimension, reason -> micros
    private final Map<Unbilled, Long> unbilled = new TreeMap<>(Comparator.comparing(Unbilled::toString));

    // subject, dimension, closed subscription of the window -> micros
    private final Map<Held, Long> held = new TreeMap<>(Comparator.comparing(Held::toString));

    /** Usage nobody pays for through a marketplace, and why. */
    record Unbilled(String subject, String dimension, Disposition reason, String cloud) {
    }

    /** Usage held in the switch window that followed the close of {@code closedSubscriptionId}. */
    record Held(String subject, String dimension, String cloud, String closedSubscriptionId) {
    }

    static Attribution of(List<Minute> minutes, Facts facts, String onlySubscription) {
        Attribution a = new Attribution();
        Map<String, List<Bound>> bindings = new HashMap<>();
        Map<String, List<Window>> windows = new HashMap<>();
        Map<String, Boolean> known = new HashMap<>();
        Map<String, List<Switch>> switches = new HashMap<>();
        Map<String, List<PlanFrom>> plans = new HashMap<>();
        for (Minute m : minutes) {
            Instant minuteEnd = m.at().plusSeconds(60);
            String subscription;
            if (m.subject().startsWith("sub:")) {
                subscription = m.subject().substring(4);
            } else {
                subscription = bindings.computeIfAbsent(m.subject().substring(4), facts::bindingsOf).stream()
                        .filter(b -> b.from().isBefore(minuteEnd) && (b.to() == null || !b.to().isBefore(minuteEnd)))
                        .max(Comparator.comparing(Bound::from)).map(Bound::subscriptionId).orElse(null);
                if (subscription == null) {
                    // in a switch window while the minute ends: (from, to], as a binding covers the minutes it ends
                    Window window = windows.computeIfAbsent(m.subject().substring(4), facts::windowsOf).stream()
                            .filter(w -> w.from() != null && w.from().isBefore(minuteEnd)
                                    && (w.to() == null || !w.to().isBefore(minuteEnd)))
                            .max(Comparator.comparing(Window::from)).orElse(null);
                    if (window != null) {
                        a.held.merge(new Held(m.subject(), m.dimension(), m.cloud(), window.closedSubscriptionId()),
                                m.micros(), Math::addExact);
                    } else {
                        a.unbilled(m.subject(), m.dimension(), m.cloud(), Disposition.UNBOUND, m.micros());
                    }
                    continue;
                }
            }
            if (onlySubscription != null && !onlySubscription.equals(subscription)) {
                continue;
            }
            if (!known.computeIfAbsent(subscription, facts::knows)) {
                a.unbilled(m.subject(), m.dimension(), m.cloud(), Disposition.UNKNOWN_SUBSCRIPTION, m.micros());
                continue;
            }
            String state = switches.computeIfAbsent(subscription, facts::switchesOf).stream()
                    .filter(c -> c.at().isBefore(minuteEnd)).reduce((x, y) -> y).map(Switch::metering).orElse(null);
            if (!"BILLING".equals(state)) {
                a.unbilled(m.subject(), m.dimension(), m.cloud(), state == null ? Disposition.NOT_OPEN
                        : "PAUSED".equals(state) ? Disposition.PAUSED : Disposition.ENDED, m.micros());
                continue;
            }
            String sub = subscription;
            Priced plan = plans.computeIfAbsent(subscription, facts::plansOf).stream()
                    .filter(p -> p.from().isBefore(minuteEnd)).reduce((x, y) -> y)
                    .map(p -> new Priced(p.sku(), p.trial())).orElseGet(() -> facts.currentPlan(sub));
            a.bill(subscription, m.dimension(), plan.on(m.cloud()), m.subject(), m.micros());
        }
        return a;
    }

    void bill(String subscription, String dimension, Priced plan, String subject, long micros) {
        billed.computeIfAbsent(subscription, k -> new HashMap<>()).computeIfAbsent(dimension, k -> new HashMap<>())
                .computeIfAbsent(plan, k -> new HashMap<>()).merge(subject, micros, Math::addExact);
    }

    void unbilled(String subject, String dimension, Disposition why, long micros) {
        unbilled(subject, dimension, null, why, micros);
    }

    void unbilled(String subject, String dimension, String cloud, Disposition why, long micros) {
        if (micros != 0) {
            unbilled.merge(new Unbilled(subject, dimension, why, cloud), micros, Math::addExact);
        }
    }

    /** The subscriptions that have billed usage this hour. */
    java.util.Set<String> billedSubscriptions() {
        return billed.keySet();
    }

    /** A subscription's billed usage of one dimension: plan -> subject -> micros. */
    Map<Priced, Map<String, Long>> billed(String subscription, String dimension) {
        return billed.getOrDefault(subscription, Map.of()).getOrDefault(dimension, Map.of());
    }

    /** The dimensions a subscription has billed usage in. */
    java.util.Set<String> dimensions(String subscription) {
        return billed.getOrDefault(subscription, Map.of()).keySet();
    }

    /** A subscription's billed usage of one dimension, per subject. */
    Map<String, Long> bySubject(String subscription, String dimension) {
        Map<String, Long> out = new HashMap<>();
        billed(subscription, dimension).values().forEach(s -> s.forEach((k, v) -> out.merge(k, v, Math::addExact)));
        return out;
    }

    Map<Unbilled, Long> unbilled() {
        return unbilled;
    }

    Map<Held, Long> held() {
        return held;
    }
}

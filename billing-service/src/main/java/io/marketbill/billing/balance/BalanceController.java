package io.marketbill.billing.balance;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/billing/balance}: the conservation of an organization's (or a subscription's) usage, hour by
 * closed hour, and of the money of the subscriptions it was billed to (operators; see {@link BalanceRules}).
 */
@RestController
class BalanceController {

    /** Responses for the HTTP API (records, not maps). */
    record Hour(Instant hourStart, String dimension, String input, String movedIn, String billedReported,
                String billedPending, String billedRefused, String notChargeable, Map<String, String> vendorBilling,
                String switchWindow, boolean balanced) {
    }

    record MoneyLine(String subscriptionId, String dimension, String carryIn, String cost, long units,
                     String carryOut, long ledgerUnits, boolean balanced) {
    }

    record Balance(String subject, Instant from, Instant to, boolean balanced, List<Hour> hours,
                   List<MoneyLine> money) {
    }

    private final BalanceStore store;

    BalanceController(BalanceStore store) {
        this.store = store;
    }

    @GetMapping("/api/billing/balance")
    ResponseEntity<?> balance(@RequestParam(required = false) String organizationId,
                              @RequestParam(required = false) String subscriptionId,
                              @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        if ((organizationId == null) == (subscriptionId == null)) {
            return refuse("exactly one of organizationId and subscriptionId is required");
        }
        Instant[] attributed = store.attributedHours().orElse(new Instant[] {Instant.EPOCH, Instant.EPOCH});
        Instant since;
        Instant until;
        try {
            since = from == null ? attributed[1].minus(Duration.ofDays(1)) : Instant.parse(from);
            until = to == null ? attributed[1] : Instant.parse(to);
        } catch (DateTimeParseException e) {
            return refuse("from and to are ISO-8601 UTC instants, e.g. 2026-12-01T00:00:00Z");
        }
        String subject = organizationId != null ? "org:" + organizationId : "sub:" + subscriptionId;
        // only hours that were attributed can be balanced: the closed ones, and those a final flush or an early close
        // of its subscription rated before they closed (shown once something of the subject was attributed in them)
        Instant closed = attributed[1];
        since = max(since.truncatedTo(ChronoUnit.HOURS), attributed[0]);
        until = min(until, max(closed, store.attributedThrough(subject).orElse(closed)));
        List<Hour> hours = new ArrayList<>();
        boolean all = true;
        if (since.isBefore(until)) {
            for (BalanceRules.Bucket b : store.buckets(subject, since, until)) {
                if (!b.hourStart().isBefore(closed) && b.input() + b.movedIn() > 0 && b.attributed() == 0) {
                    continue; // an hour still open that nothing rated yet
                }
                Map<String, String> vendor = new LinkedHashMap<>();
                b.vendorBilling().forEach((why, micros) -> vendor.put(why, BalanceStore.micros(micros).toPlainString()));
                hours.add(new Hour(b.hourStart(), b.dimension(), text(b.input()), text(b.movedIn()),
                        text(b.reported()), text(b.pending()), text(b.refused()), text(b.notChargeable()), vendor,
                        text(b.switchWindow()), b.balanced()));
                all &= b.balanced();
            }
        }
        List<MoneyLine> money = new ArrayList<>();
        List<String> subscriptions = subscriptionId != null ? List.of(subscriptionId)
                : since.isBefore(until) ? store.billedTo(subject, since, until) : List.of();
        for (String s : subscriptions) {
            for (BalanceRules.Money m : store.money(s, since, until)) {
                money.add(new MoneyLine(m.subscriptionId(), m.dimension(), plain(m.firstCarryIn()),
                        plain(m.cost()), m.units(), plain(m.lastCarryOut()), m.ledgerUnits(), m.balanced()));
                all &= m.balanced();
            }
        }
        return ResponseEntity.ok(new Balance(subject, since, until, all, hours, money));
    }

    private static ResponseEntity<?> refuse(String message) {
        return ResponseEntity.badRequest().body(Map.of("error", "bad_request", "message", message));
    }

    private static String text(long micros) {
        return BalanceStore.micros(micros).toPlainString();
    }

    private static String plain(java.math.BigDecimal v) {
        return v == null ? null : v.stripTrailingZeros().toPlainString();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}

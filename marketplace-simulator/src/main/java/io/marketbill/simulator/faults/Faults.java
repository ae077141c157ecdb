package io.marketbill.simulator.faults;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Switchable fault injection for the metering APIs of both simulated marketplaces, so that a caller's retry, resend,
 * reconciliation and bisection paths can be tested: {@code POST /sim/faults} adds a rule, {@code GET /sim/faults} lists
 * the rules with how often each fired, {@code DELETE /sim/faults} (or {@code /sim/faults/{id}}) removes them. Rules from
 * {@code simulator.faults.rules} are active from the start. Each rule has its own seeded random source, so the same
 * calls in the same order meet the same faults.
 */
@RestController
public class Faults {

    /** A rule in force: its definition, what it has done, its random source and, for poisoning, the poisoned keys. */
    private static final class Active {
        final long id;
        final FaultRule rule;
        final FaultKind kind;
        final Random random;
        long hits;
        final Set<String> poisoned = new LinkedHashSet<>();

        Active(long id, FaultRule rule) {
            this.id = id;
            this.rule = rule;
            this.kind = rule.parsedKind();
            this.random = new Random(rule.seed() == null ? 0 : rule.seed());
        }

        boolean spent() {
            return rule.count() != null && hits >= rule.count();
        }

        boolean roll() {
            double rate = rule.rate() == null ? 1.0 : rule.rate();
            return rate >= 1.0 || random.nextDouble() < rate;
        }

        Map<String, Object> view() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", id);
            v.put("marketplace", rule.marketplace() == null ? "any" : rule.marketplace());
            v.put("kind", kind.name());
            v.put("rate", rule.rate() == null ? 1.0 : rule.rate());
            v.put("count", rule.count());
            v.put("seed", rule.seed() == null ? 0 : rule.seed());
            if (kind == FaultKind.TIMEOUT) {
                v.put("delay", delay(rule).toString());
            }
            if (rule.error() != null) {
                v.put("error", rule.error());
            }
            if (rule.match() != null) {
                v.put("match", rule.match());
            }
            v.put("hits", hits);
            v.put("spent", spent());
            if (kind == FaultKind.POISONED_RECORD) {
                v.put("poisoned", List.copyOf(poisoned));
            }
            return v;
        }
    }

    /** A fault that hits one call. */
    public record Fired(long ruleId, FaultKind kind, Duration delay, Random random) {
    }

    /** The poisoned record of a batch and the error the rule answers with. */
    public record Poison(long ruleId, String key, String error) {
    }

    private final List<Active> rules = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    public Faults(FaultProperties properties) {
        properties.rules().forEach(this::add);
    }

    @PostMapping("/sim/faults")
    synchronized ResponseEntity<Map<String, Object>> add(@RequestBody FaultRule rule) {
        if (rule.kind() == null) {
            return ResponseEntity.badRequest().body(Map.of("error", "kind is required: one of " + List.of(FaultKind.values())));
        }
        try {
            rule.parsedKind();
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", "unknown kind " + rule.kind() + ": one of "
                    + List.of(FaultKind.values())));
        }
        if (rule.rate() != null && (rule.rate() < 0 || rule.rate() > 1) || rule.count() != null && rule.count() < 0) {
            return ResponseEntity.badRequest().body(Map.of("error", "rate must be 0..1 and count not negative"));
        }
        Active a = new Active(ids.incrementAndGet(), rule);
        rules.add(a);
        return ResponseEntity.ok(a.view());
    }

    @GetMapping("/sim/faults")
    synchronized List<Map<String, Object>> list() {
        return rules.stream().map(Active::view).toList();
    }

    @DeleteMapping("/sim/faults")
    synchronized Map<String, Object> clear() {
        int n = rules.size();
        rules.clear();
        return Map.of("removed", n);
    }

    @DeleteMapping("/sim/faults/{id}")
    synchronized Map<String, Object> remove(@PathVariable long id) {
        return Map.of("removed", rules.removeIf(a -> a.id == id) ? 1 : 0);
    }

    /**
     * The fault (not {@code POISONED_RECORD}) that hits this call of {@code marketplace}, if any: the first rule in
     * order that applies, is not spent and wins its draw. Rules of kinds the marketplace lacks are skipped.
     */
    public synchronized Optional<Fired> next(String marketplace, Set<FaultKind> supported) {
        for (Active a : rules) {
            if (a.kind == FaultKind.POISONED_RECORD || !supported.contains(a.kind) || !a.rule.appliesTo(marketplace)
                    || a.spent()) {
                continue;
            }
            if (a.roll()) {
                a.hits++;
                return Optional.of(new Fired(a.id, a.kind, delay(a.rule), a.random));
            }
        }
        return Optional.empty();
    }

    /**
     * The poisoned record of a batch, given each record's key: a record poisoned earlier, a record matching a rule's
     * {@code match}, or, if the batch has none yet, one record drawn from it (at most one new one per batch).
     */
    public synchronized Optional<Poison> poisoned(String marketplace, List<String> recordKeys) {
        for (Active a : rules) {
            if (a.kind != FaultKind.POISONED_RECORD || !a.rule.appliesTo(marketplace)) {
                continue;
            }
            for (String key : recordKeys) {
                if (a.poisoned.contains(key) || (a.rule.match() != null && key.contains(a.rule.match()))) {
                    return Optional.of(new Poison(a.id, key, a.rule.error()));
                }
            }
        }
        for (Active a : rules) {
            if (a.kind != FaultKind.POISONED_RECORD || !a.rule.appliesTo(marketplace) || a.rule.match() != null
                    || a.spent() || recordKeys.isEmpty()) {
                continue;
            }
            if (a.roll()) {
                String key = recordKeys.get(a.random.nextInt(recordKeys.size()));
                a.poisoned.add(key);
                a.hits++;
                return Optional.of(new Poison(a.id, key, a.rule.error()));
            }
        }
        return Optional.empty();
    }

    private static Duration delay(FaultRule rule) {
        return rule.delay() == null ? Duration.ofSeconds(30) : rule.delay();
    }

    /** For {@code TIMEOUT}: waits before the call is answered. */
    public static void sleep(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * For {@code LOST_ANSWER}: the status line, the headers and the first bytes of a body that announces more than it
     * sends, then the connection is closed, as when a network path drops mid-answer. The caller sees an I/O error (or
     * a body it cannot parse), never the outcome.
     */
    public static void cutOff(HttpServletResponse response, String contentType) {
        try {
            response.setStatus(200);
            response.setContentType(contentType);
            response.setHeader("Connection", "close");
            response.setContentLength(4096);
            OutputStream out = response.getOutputStream();
            out.write("{\"Res".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.close();
        } catch (IOException ignored) {
            // the caller went away first: the answer is lost either way
        }
    }
}

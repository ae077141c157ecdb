package io.marketbill.binding.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.binding.bindings.Bindings.Decision;
import io.marketbill.binding.bindings.Bindings.Proof;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two binds at the same moment: exactly one wins, the other is "already bound", never another refusal. Repeated, so
 * that the two transactions really overlap in many rounds (the loser then waits on the winner's row lock).
 */
class BindingRaceTest extends BindingServiceTestBase {

    private static final int ROUNDS = 25;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private List<Decision> atOnce(Callable<Decision> first, Callable<Decision> second) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Future<Decision> a = pool.submit(() -> {
            start.await();
            return first.call();
        });
        Future<Decision> b = pool.submit(() -> {
            start.await();
            return second.call();
        });
        return List.of(a.get(), b.get());
    }

    static final java.util.concurrent.atomic.AtomicInteger DECIDED_BY_THE_INDEX = new java.util.concurrent.atomic.AtomicInteger();

    @AfterEach
    void report() {
        // how often a race got past the row locks to the unique index (the backstop): expected 0
        System.out.println("races decided by the unique index: " + DECIDED_BY_THE_INDEX.get());
    }

    private static void exactlyOneWins(List<Decision> decisions) {
        decisions.stream().filter(d -> "bound by someone else a moment ago".equals(d.detail()))
                .forEach(d -> DECIDED_BY_THE_INDEX.incrementAndGet());
        assertThat(decisions).filteredOn(Decision::bound).hasSize(1);
        assertThat(decisions).filteredOn(d -> !d.bound()).singleElement()
                .satisfies(d -> assertThat(d.refusal()).isEqualTo(Refusal.ALREADY_BOUND));
    }

    @Test
    void twoAdminsBindingTheSameSubscriptionToTheirOrganizations() throws Exception {
        for (String product : List.of(ZILLIZ, EMQX)) {
            for (int i = 0; i < ROUNDS; i++) {
                String alice = unique("u-alice");
                String bob = unique("u-bob");
                String orgA = organization("A", alice);
                String orgB = organization("B", bob);
                String sub = opened(product, unique("ali"));

                exactlyOneWins(atOnce(() -> bindings.bind(alice, sub, orgA, Proof.LOGIN_TICKET, null),
                        () -> bindings.bind(bob, sub, orgB, Proof.LOGIN_TICKET, null)));
                assertThat(bindings.activeBindingsOf(sub)).hasSize(1);
            }
        }
    }

    @Test
    void twoSubscriptionsRacingForOneOrganization() throws Exception {
        for (String product : List.of(ZILLIZ, GUANCE, EMQX)) {
            for (int i = 0; i < ROUNDS; i++) {
                String alice = unique("u-alice");
                String bob = unique("u-bob");
                String org = organization("Shared", alice);
                member(org, bob, "ADMIN");
                String s1 = opened(product, unique("ali1"));
                String s2 = opened(product, unique("ali2"));

                exactlyOneWins(atOnce(() -> bindings.bind(alice, s1, org, Proof.LOGIN_TICKET, null),
                        () -> bindings.bind(bob, s2, org, Proof.LOGIN_TICKET, null)));
                assertThat(bindings.activeBindingOf(org)).isPresent();
            }
        }
    }
}

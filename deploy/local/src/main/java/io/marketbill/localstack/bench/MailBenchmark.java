package io.marketbill.localstack.bench;

import io.marketbill.localstack.DevLoginTokens;
import io.marketbill.localstack.LocalStack;
import io.marketbill.localstack.StackConfig;
import io.marketbill.localstack.fault.MailLoad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Mails per second to the local SMTP server: an organization with {@code admins} admins gets {@code events}
 * billing-critical events at once (each one mail per admin); the clock runs from publishing the events to the
 * last mail in the SMTP server's mailboxes. A warm-up round first. Correctness in the same run: every mail
 * delivered, no Message-ID twice.
 *
 * <p>Usage: {@code MailBenchmark <admins> <events>}; starts its own stack on free ports.
 */
public final class MailBenchmark {

    public static void main(String[] args) throws Exception {
        int admins = Integer.parseInt(args[0]);
        int events = Integer.parseInt(args[1]);
        Path home = Path.of(System.getProperty("marketbill.home", ".")).toAbsolutePath().normalize();
        Map<String, String> env = StackConfig.onFreePorts(new HashMap<>(System.getenv()), "marketbill-mail-bench");
        boolean ok;
        try (LocalStack stack = new LocalStack(StackConfig.from(home, env::get))) {
            stack.start();
            MailLoad load = new MailLoad(stack, DevLoginTokens.fetch(stack.config(), "u-bench", "operator"));
            load.organization("org-warm", admins);
            load.organization("org-bench", admins);
            Thread.sleep(5000); // the directory reaches notification-service through binding-service's outbox
            run(load, "org-warm", admins, Math.max(1, events / 5), "warm-up");
            ok = run(load, "org-bench", admins, events, "measured");
        }
        System.exit(ok ? 0 : 1);
    }

    static boolean run(MailLoad load, String org, int admins, int events, String label) throws Exception {
        int mails = admins * events;
        long start = System.nanoTime();
        load.freezes(org, events);
        MailLoad.await(label + ": every mail delivered", Duration.ofMinutes(10), () -> load.delivered(org, admins).size() >= mails);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Integer> delivered = load.delivered(org, admins);
        boolean once = delivered.size() == mails && delivered.values().stream().allMatch(n -> n == 1);
        if (!once) {
            delivered.entrySet().stream().filter(e -> e.getValue() != 1).limit(3)
                    .forEach(e -> System.out.println("  " + e.getKey() + " delivered " + e.getValue() + " times"));
        }
        System.out.printf("| %s | %d admins × %d events | %d mails | %.1f s | %.0f mails/s | %s |%n", label, admins,
                events, mails, seconds, mails / seconds, once ? "every mail once" : "MISMATCH " + delivered.size());
        return once;
    }
}

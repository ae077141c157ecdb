package io.marketbill.localstack.fault;

import io.marketbill.localstack.LocalStack;
import io.marketbill.localstack.StackConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The load and fault suite: minutes of mixed load while every service and the broker are killed (SIGKILL) and
 * restarted in turn, then everything reconciled with what was sent.
 * <ul>
 *   <li>Callbacks: buyers open Alibaba instances through the simulated marketplace, which calls the gateway and
 *   retries as Alibaba does; some are later frozen (expiredInstance), resumed (renewInstance) and released.</li>
 *   <li>Bindings: each subscription's buyer signs in through free login and binds it, through the gateway's API, to
 *   an organization of their own that the run created in the directory.</li>
 *   <li>Usage: CloudEvents batches to the gateway's {@code POST /api/usage} for the subscriptions that stay active
 *   and (a third) for their organizations, sent again with the same ids until accepted, as a producer does.</li>
 * </ul>
 * Afterwards: every subscription has the state and history its lifecycle calls for, each event once; every binding
 * is as made (and unbound where released); per-hour totals, rated hours, marketplace reports and the ledger match
 * (the billing fault run's check, which includes the conservation of every subscription and organization); every mail the events call for was sent once, to the right admin, and arrived once
 * at the SMTP server; no dead letters. Clients retry what failed while a service was down, as real clients do; the
 * simulated marketplace is never killed (it is the outside world, and its record is what is checked).
 * Usage: {@code LoadFaultRun [seconds=600] [faults=true] [subscriptions per second=1] [usage events per second=200]}.
 */
public final class LoadFaultRun {

    static final List<String> PRODUCTS = List.of("cmgj00063418", "cmgj00069406", "cmgj00053362");
    /**
     * The close timings up to which the run waits for every close action and its mails: the switch grace, and for EMQX
     * the time from the stop to the deletion reminder. Longer ones (the defaults: 1h, 3d, 1d) come after the run, and
     * the run expects only the mails of the close itself; timings in between are refused (some would come, some not).
     */
    static final Duration CLOSE_ACTIONS_AWAITED = Duration.ofMinutes(2);

    /** One buyer and the organization their subscription pays for. */
    static final class Actor {
        final int n;
        final String product;
        final String orderBizId;
        final String organizationId;
        final String admin;
        final String email;
        /** frozen and resumed (no usage); {@code release}: then released */
        final boolean lifecycle;
        final boolean release;
        final List<String> history = new ArrayList<>();
        final List<String> mails = new ArrayList<>();
        volatile String stage = "new";

        Actor(int n, String run, String product, boolean lifecycle, boolean release) {
            this.n = n;
            this.product = product;
            this.orderBizId = "LOAD" + run.toUpperCase() + n;
            this.organizationId = "org-load-" + run + "-" + n;
            this.admin = "load-admin-" + run + "-" + n;
            this.email = admin + "@load.example";
            this.lifecycle = lifecycle;
            this.release = release;
        }

        String subscriptionId() {
            return "aliyun:" + orderBizId;
        }
    }

    /** What happened. */
    public record Report(int seconds, int actors, int bound, long usageEvents, long usageResent, long mails,
                         List<String> faults, Map<String, Long> retries, double settledSeconds, List<String> problems) {

        public boolean passed() {
            return problems.isEmpty();
        }

        public String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("| load | subscriptions | bound | usage events | usage batches sent again | mails | "
                    + "quiet again after the load |\n|---|---|---|---|---|---|---|\n");
            sb.append(String.format("| %d s | %d | %d | %,d | %,d | %d | %.0f s |%n", seconds, actors, bound, usageEvents,
                    usageResent, mails, settledSeconds));
            sb.append("\nFaults (SIGKILL, then started again):\n");
            faults.forEach(f -> sb.append("- ").append(f).append('\n'));
            sb.append("\nClient retries while services were away: ").append(retries).append('\n');
            sb.append(problems.isEmpty() ? "\nResult: every subscription, binding, hourly total, marketplace report and "
                    + "mail reconciles with what was sent; nothing lost, nothing twice; no dead letters.\n"
                    : "\nPROBLEMS (" + problems.size() + "):\n- " + String.join("\n- ", problems.subList(0,
                    Math.min(problems.size(), 60))) + "\n");
            return sb.toString();
        }
    }

    private final LocalStack stack;
    private final BillingFaultRun billing;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final List<String> faults = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final Organizations organizations;
    private String operatorToken;

    private LoadFaultRun(LocalStack stack) {
        this.stack = stack;
        this.billing = new BillingFaultRun(stack);
        this.organizations = new Organizations(stack, "load-operator");
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        boolean withFaults = args.length <= 1 || Boolean.parseBoolean(args[1]);
        double openRate = args.length > 2 ? Double.parseDouble(args[2]) : 1.0;
        int usageRate = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("marketbill.home", ".")).toAbsolutePath()
                .normalize();
        Map<String, String> env = StackConfig.onFreePorts(new HashMap<>(System.getenv()), "marketbill-load");
        int code;
        try (LocalStack stack = new LocalStack(StackConfig.from(home, env::get))) {
            System.out.printf("stack healthy in %.1f s%n", stack.start());
            Report r = run(stack, seconds, withFaults, openRate, usageRate);
            System.out.println();
            System.out.println(r.markdown());
            code = r.passed() ? 0 : 1;
        }
        System.exit(code);
    }

    public static Report run(LocalStack stack, int seconds, boolean withFaults, double openRate, int usageRate)
            throws Exception {
        return new LoadFaultRun(stack).run(seconds, withFaults, openRate, usageRate);
    }

    private Report run(int seconds, boolean withFaults, double openRate, int usageRate) throws Exception {
        StackConfig c = stack.config();
        if (!closeActionsAwaited() && c.closeTiming("SWITCH_GRACE").compareTo(Duration.ofSeconds(seconds)
                .plus(Duration.ofMinutes(30))) < 0) {
            throw new IllegalArgumentException("the load suite reconciles every close mail: run it with close timings "
                    + "of at most " + CLOSE_ACTIONS_AWAITED.toMinutes() + " min (SWITCH_GRACE, and DELETION_GRACE less "
                    + "DELETION_REMINDER) or with ones longer than the run, not " + c.closeGraces());
        }
        operatorToken = organizations.operatorToken();
        Map<Integer, Integer> deadLettersBefore = deadLetters();
        long acceptedBefore = billing.billing("/api/billing/usage/summary").path("acceptedEvents").asLong();
        List<Actor> actors = new CopyOnWriteArrayList<>();
        List<Actor> metered = new CopyOnWriteArrayList<>(); // bound, active for good, known to billing-service
        Map<String, Long> expectedUsage = new ConcurrentHashMap<>();
        AtomicLong usageEvents = new AtomicLong();
        AtomicLong usageResent = new AtomicLong();
        AtomicBoolean loading = new AtomicBoolean(true);
        Random random = new Random(7);
        Instant start = Instant.now();

        Thread faultThread = new Thread(() -> injectFaults(seconds, withFaults), "faults");
        Thread usageThread = new Thread(() -> sendUsage(usageRate, metered, expectedUsage, usageEvents, usageResent,
                loading), "usage");
        ExecutorService buyers = Executors.newFixedThreadPool(64);
        List<Future<?>> scripts = new ArrayList<>();
        faultThread.start();
        usageThread.start();
        long intervalNanos = (long) (1e9 / openRate);
        long began = System.nanoTime();
        for (int n = 0; System.nanoTime() - began < TimeUnit.SECONDS.toNanos(seconds); n++) {
            long due = began + n * intervalNanos;
            if (due > System.nanoTime()) {
                Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
            }
            // 70% stay active and are metered; 30% are frozen and resumed, half of those then released
            int kind = random.nextInt(10);
            Actor a = new Actor(n, run, PRODUCTS.get(random.nextInt(PRODUCTS.size())), kind >= 7, kind >= 9);
            actors.add(a);
            scripts.add(buyers.submit(() -> {
                try {
                    play(a, metered);
                } catch (Exception e) {
                    problems.add("actor " + a.n + " (" + a.subscriptionId() + ") stopped at " + a.stage + ": " + e);
                }
                return null;
            }));
        }
        System.out.printf("%d subscriptions opened in %d s; waiting for their scripts%n", actors.size(), seconds);
        for (Future<?> f : scripts) {
            f.get(15, TimeUnit.MINUTES);
        }
        buyers.shutdown();
        loading.set(false);
        usageThread.join();
        faultThread.join();
        Instant loadEnded = Instant.now();
        System.out.printf("load over after %.0f s; %,d usage events; reconciling%n", seconds(start), usageEvents.get());

        // quiet again: billing-service took in every usage event, notification-service sent every mail
        BillingFaultRun.waitUntil("billing-service took in every usage event", Duration.ofMinutes(10), () ->
                billing.billing("/api/billing/usage/summary").path("acceptedEvents").asLong() - acceptedBefore
                        >= usageEvents.get());
        try {
            BillingFaultRun.waitUntil("the run's mails sent", Duration.ofMinutes(5), () -> mailsSettled(actors));
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage() + ": the check below says which");
        }
        List<BillingFaultRun.Subscription> meteredSubscriptions = metered.stream()
                .map(a -> new BillingFaultRun.Subscription(a.subscriptionId(), a.product, null, a.organizationId)).toList();
        Map<String, Long> expected = new TreeMap<>(expectedUsage);
        if (!meteredSubscriptions.isEmpty()) {
            Instant lastHour = expected.keySet().stream().map(k -> Instant.parse(k.substring(k.lastIndexOf('|') + 1)))
                    .max(Instant::compareTo).orElse(Instant.now().truncatedTo(ChronoUnit.HOURS));
            billing.closeAndSettle(meteredSubscriptions, lastHour.plus(Duration.ofHours(1)));
        }
        double settled = seconds(loadEnded);

        billing.verify(meteredSubscriptions, expected, problems);
        int bound = verifySubscriptionsAndBindings(actors);
        long mails = verifyMails(actors);
        Map<Integer, Integer> deadLettersAfter = deadLetters();
        deadLettersAfter.forEach((port, n) -> {
            if (n > deadLettersBefore.getOrDefault(port, 0)) {
                problems.add((n - deadLettersBefore.getOrDefault(port, 0)) + " new dead letters at the service on port "
                        + port);
            }
        });
        Map<String, Long> retryCounts = new TreeMap<>();
        organizations.retries().forEach((k, v) -> retryCounts.put(k, v.get()));
        return new Report(seconds, actors.size(), bound, usageEvents.get(), usageResent.get(), mails,
                List.copyOf(faults), retryCounts, settled, List.copyOf(problems));
    }

    // ---- one buyer's script ----

    private void play(Actor a, List<Actor> metered) throws Exception {
        a.stage = "directory";
        organizations.create(a.organizationId, "Load org " + a.n, a.admin, a.email, a.n % 2 == 0 ? "zh-CN" : "en");

        a.stage = "open";
        // the simulated marketplace is never down: it answers at once and retries its call to the gateway itself
        HttpResponse<String> bought = post(sim("/sim/aliyun/instances"), "{\"productCode\":\"" + a.product
                + "\",\"aliUid\":\"" + String.format("19%06d%08d", Math.abs(run.hashCode()) % 1_000_000, a.n)
                + "\",\"skuId\":\"payg\",\"trial\":false,\"orderBizId\":\"" + a.orderBizId + "\"}");
        if (bought.statusCode() != 200) {
            throw new IllegalStateException("the simulator refused the order: " + bought.body());
        }
        a.history.add("SubscriptionOpened");
        awaitState(a, "ACTIVE", 1);

        a.stage = "bind";
        organizations.bind(a.orderBizId, a.organizationId, a.admin);
        a.mails.add("CHANNEL_ACTIVE");

        if (!a.lifecycle) {
            a.stage = "metered";
            BillingFaultRun.waitUntil(a.subscriptionId() + " known to billing-service", Duration.ofMinutes(5), () ->
                    get(billing.billingUrl("/api/billing/subscriptions/" + enc(a.subscriptionId()))).statusCode() == 200);
            metered.add(a);
            return;
        }
        step(a, "expire", "SubscriptionFrozen", "ORGANIZATION_FROZEN", "FROZEN");
        // the gateway keeps no state: a renewal is SubscriptionChanged, and subscription-service resumes what was frozen
        step(a, "renew", "SubscriptionChanged", "ORGANIZATION_UNFROZEN", "ACTIVE");
        if (a.release) {
            step(a, "release", "SubscriptionClosed", null, "CLOSED");
            a.mails.addAll(releaseMails(a.product));
        }
        a.stage = "done";
    }

    /** A couple of seconds later, the marketplace does {@code operation}; waits until subscription-service shows it. */
    private void step(Actor a, String operation, String event, String mail, String state) throws Exception {
        Thread.sleep(2000);
        a.stage = operation;
        HttpResponse<String> r = post(sim("/sim/aliyun/instances/" + a.orderBizId + "/" + operation), "{}");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the simulator refused " + operation + ": " + r.body());
        }
        a.history.add(event);
        if (mail != null) {
            a.mails.add(mail);
        }
        awaitState(a, state, a.history.size());
    }

    /** Waits until subscription-service shows the state after {@code events} lifecycle events. */
    private void awaitState(Actor a, String state, int events) throws Exception {
        BillingFaultRun.waitUntil(a.subscriptionId() + " " + state, Duration.ofMinutes(6), () -> {
            HttpResponse<String> r = get(subscriptionUrl("/api/subscriptions/" + enc(a.subscriptionId())));
            if (r.statusCode() != 200) {
                return false;
            }
            JsonNode s = json.readTree(r.body());
            return s.path("state").asString().equals(state) && s.path("history").size() >= events;
        });
    }

    /** Whether this stack's close actions (and their mails) come within the run: see {@link #CLOSE_ACTIONS_AWAITED}. */
    private boolean closeActionsAwaited() {
        StackConfig c = stack.config();
        Duration longest = c.closeTiming("SWITCH_GRACE").plus(c.closeTiming("DELETION_GRACE"))
                .minus(c.closeTiming("DELETION_REMINDER"));
        return longest.compareTo(CLOSE_ACTIONS_AWAITED) <= 0;
    }

    /**
     * The mails the release of a bound subscription calls for, by product (R12-R14): the close's own, and, where the
     * close actions come within the run, theirs. Guance has no switch grace: its fall-back mail is the close's own, and
     * the link's end is not mailed apart from it.
     */
    private List<String> releaseMails(String product) {
        boolean later = closeActionsAwaited();
        return switch (product) {
            case "cmgj00053362" -> List.of("BACK_TO_VENDOR_BILLING");
            case "cmgj00069406" -> later ? List.of("CHANNEL_ENDED", "DEPLOYMENTS_STOPPING",
                    "DEPLOYMENTS_DELETION_SCHEDULED", "DEPLOYMENTS_DELETION_REMINDER") : List.of("CHANNEL_ENDED");
            default -> later ? List.of("CHANNEL_ENDED", "ORGANIZATION_FROZEN") : List.of("CHANNEL_ENDED");
        };
    }

    // ---- usage ----

    private void sendUsage(int rate, List<Actor> metered, Map<String, Long> expected, AtomicLong events,
                           AtomicLong resent, AtomicBoolean loading) {
        Random random = new Random(11);
        int perBatch = Math.max(1, rate / 10);
        long seq = 0;
        long began = System.nanoTime();
        for (long tick = 0; loading.get(); tick++) {
            long due = began + tick * 100_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            if (metered.isEmpty()) {
                continue;
            }
            List<String> batch = new ArrayList<>(perBatch);
            for (int i = 0; i < perBatch; i++) {
                Actor a = metered.get(random.nextInt(metered.size()));
                List<String> dims = new ArrayList<>(BillingFaultRun.PRICES.get(a.product).keySet());
                Collections.sort(dims);
                String dimension = dims.get(random.nextInt(dims.size()));
                long micros = 1 + random.nextInt(3_000_000);
                Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                // a third comes as the organization's usage, which its bound subscription pays for
                boolean ofOrganization = random.nextInt(3) == 0;
                String id = run + "-u" + seq++;
                batch.add(ofOrganization ? BillingFaultRun.organizationEvent(id, at, a.organizationId, dimension, micros)
                        : BillingFaultRun.cloudEvent(id, at, a.subscriptionId(), dimension, micros));
                expected.merge((ofOrganization ? "org:" + a.organizationId : a.subscriptionId()) + "|" + dimension + "|"
                        + at.truncatedTo(ChronoUnit.HOURS), micros, Long::sum);
            }
            events.addAndGet(batch.size());
            String body = "[" + String.join(",", batch) + "]";
            // the same batch, same ids, until it is accepted: the gateway answers 202 only once it is durable
            for (int attempt = 0; ; attempt++) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw("/api/usage")))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/cloudevents-batch+json")
                            .header("X-Api-Key", "local-usage-key")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                        if (!r.body().contains("\"accepted\":" + batch.size())) {
                            problems.add("usage batch partly refused: " + r.body());
                        }
                        break;
                    }
                    if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
                        problems.add("usage batch refused: " + r.statusCode() + " " + r.body());
                        break;
                    }
                } catch (IOException e) {
                    // the gateway is down
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (attempt == 0) {
                    resent.incrementAndGet();
                }
                organizations.retried("usage");
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---- faults ----

    private void injectFaults(int seconds, boolean withFaults) {
        if (!withFaults) {
            return;
        }
        List<String> victims = List.of("gateway-service", "subscription-service", "binding-service", "billing-service",
                "notification-service", "kafka");
        long began = System.nanoTime();
        for (int i = 0; i < victims.size(); i++) {
            long due = began + TimeUnit.SECONDS.toNanos((long) seconds * (i + 1) / (victims.size() + 1));
            try {
                Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
                String victim = victims.get(i);
                long at = (System.nanoTime() - began) / 1_000_000_000L;
                Instant t = Instant.now();
                if (victim.equals("kafka")) {
                    stack.kafka().kill();
                    Thread.sleep(3000);
                    stack.startKafkaAgain();
                } else {
                    stack.service(victim).kill();
                    Thread.sleep(3000);
                    stack.restart(victim);
                }
                String f = String.format("%s at %d s, ready again %.1f s later", victim.equals("kafka")
                        ? "the Kafka broker" : victim, at, seconds(t));
                faults.add(f);
                System.out.println(f);
            } catch (Exception e) {
                faults.add("fault injection failed: " + e);
                problems.add("fault injection failed: " + e);
            }
        }
    }

    // ---- reconciling ----

    private int verifySubscriptionsAndBindings(List<Actor> actors) throws Exception {
        int bound = 0;
        for (Actor a : actors) {
            if (!"done".equals(a.stage) && !"metered".equals(a.stage)) {
                continue; // its script failed: already a problem
            }
            HttpResponse<String> r = get(subscriptionUrl("/api/subscriptions/" + enc(a.subscriptionId())));
            if (r.statusCode() != 200) {
                problems.add(a.subscriptionId() + " unknown to subscription-service");
                continue;
            }
            JsonNode s = json.readTree(r.body());
            String want = a.release ? "CLOSED" : "ACTIVE";
            if (!s.path("state").asString().equals(want)) {
                problems.add(a.subscriptionId() + " is " + s.path("state").asString() + ", expected " + want);
            }
            List<String> types = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (JsonNode h : s.path("history")) {
                types.add(h.path("type").asString());
                ids.add(h.path("eventId").asString());
            }
            if (!types.equals(a.history) || ids.size() != types.size()) {
                problems.add(a.subscriptionId() + " history " + types + ", expected " + a.history + " each once");
            }
            JsonNode bindings = organizations.bindingsOf(a.subscriptionId());
            boolean active = bindings.size() == 1 && Organizations.active(bindings.get(0));
            boolean ok = bindings.size() == 1 && bindings.get(0).path("organizationId").asString().equals(a.organizationId)
                    && active != a.release;
            if (!ok) {
                problems.add(a.subscriptionId() + " bindings " + bindings + ", expected one with " + a.organizationId
                        + (a.release ? ", unbound" : ", active"));
            } else {
                bound++;
            }
        }
        return bound;
    }

    private long verifyMails(List<Actor> actors) throws Exception {
        long sent = 0;
        for (Actor a : actors) {
            if (!"done".equals(a.stage) && !"metered".equals(a.stage)) {
                continue;
            }
            JsonNode rows = json.readTree(get(notificationUrl("/api/notifications/mails?limit=100&recipient="
                    + enc(a.email))).body()).path("mails");
            List<String> types = new ArrayList<>();
            Set<String> events = new HashSet<>();
            for (JsonNode m : rows) {
                if (!m.path("state").asString().equals("SENT")) {
                    problems.add("mail " + m.path("type").asString() + " to " + a.email + " is "
                            + m.path("state").asString() + ": " + m.path("lastError").asString());
                }
                types.add(m.path("type").asString());
                events.add(m.path("eventId").asString());
            }
            // every mail type counts, the close actions' too; a type may come twice (frozen by arrears, then by the
            // close), an event's mail to one person only once
            List<String> got = new ArrayList<>(types);
            List<String> want = new ArrayList<>(a.mails);
            Collections.sort(got);
            Collections.sort(want);
            if (!got.equals(want) || events.size() != types.size()) {
                problems.add("mails to " + a.email + ": " + types + ", expected " + a.mails + ", each event's once");
            }
            List<String> received = inbox(a.email);
            if (received.size() != rows.size() || new HashSet<>(received).size() != received.size()) {
                problems.add(a.email + " received " + received.size() + " messages (" + new HashSet<>(received).size()
                        + " distinct) for " + rows.size() + " mails sent");
            }
            sent += rows.size();
        }
        return sent;
    }

    /** The Message-IDs in the recipient's own mailbox at the SMTP server (the archive's blind copies are elsewhere). */
    private List<String> inbox(String email) throws Exception {
        List<String> ids = new ArrayList<>();
        com.icegreen.greenmail.user.GreenMailUser user = stack.mailServer().getUserManager().getUserByEmail(email);
        if (user != null) {
            for (com.icegreen.greenmail.store.StoredMessage m : stack.mailServer().getManagers().getImapHostManager()
                    .getInbox(user).getMessages()) {
                ids.add(m.getMimeMessage().getMessageID());
            }
        }
        return ids;
    }

    /** Every finished actor has at least the mails its script calls for, and none is waiting to be sent. */
    private boolean mailsSettled(List<Actor> actors) throws Exception {
        for (Actor a : actors) {
            if (!"done".equals(a.stage) && !"metered".equals(a.stage)) {
                continue;
            }
            JsonNode rows = json.readTree(get(notificationUrl("/api/notifications/mails?limit=100&recipient="
                    + enc(a.email))).body()).path("mails");
            if (rows.size() < a.mails.size()) {
                return false;
            }
            for (JsonNode m : rows) {
                String state = m.path("state").asString();
                if (state.equals("PENDING") || state.equals("SENDING")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The number of pending dead letters of each consumer service, by port. */
    private Map<Integer, Integer> deadLetters() throws Exception {
        StackConfig c = stack.config();
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int port : List.of(c.subscriptionPort(), c.bindingPort(), c.billingPort(), c.notificationPort())) {
            HttpResponse<String> r = port == c.bindingPort()
                    ? organizations.api("GET", gw("/api/dead-letters/binding-service?limit=1000"), null, operatorToken)
                    : get(c.url(port) + "/api/dead-letters?limit=1000");
            if (r.statusCode() != 200) {
                throw new IllegalStateException("dead letters at port " + port + ": " + r.statusCode() + " " + r.body());
            }
            counts.put(port, json.readTree(r.body()).size());
        }
        return counts;
    }

    // ---- plumbing ----

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return billing.get(url);
    }

    private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return billing.post(url, body);
    }

    private String gw(String path) {
        return stack.config().url(stack.config().gatewayPort()) + path;
    }

    private String sim(String path) {
        return stack.config().url(stack.config().simulatorPort()) + path;
    }

    private String subscriptionUrl(String path) {
        return stack.config().url(stack.config().subscriptionPort()) + path;
    }

    private String notificationUrl(String path) {
        return stack.config().url(stack.config().notificationPort()) + path;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }
}

package io.marketbill.localstack.fault;

import io.marketbill.localstack.LocalStack;
import io.marketbill.localstack.StackConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The billing fault run: usage events go to {@code usage.v1} as the vendor's platform sends them, for
 * subscriptions opened through the simulated marketplaces and the gateway, and for the organizations bound to some
 * of them (a third of those subscriptions' usage comes as their organization's). While billing-service takes them
 * in, it is killed (SIGKILL) and restarted, and then the Kafka broker is stopped and started again. Then the
 * hour is closed and reported, and everything is checked against what was sent:
 * <ul>
 *   <li>every per-hour total of every subscription, organization and dimension equals the sum of its input, exactly;</li>
 *   <li>every rated hour is the subscription's total, with its organization's, times the catalog price, in whole
 *   fen, with the remainder carried;</li>
 *   <li>the conservation law holds for every subscription and every organization (billing-service's balance);</li>
 *   <li>each marketplace received each hour exactly once, with that value (Alibaba: no zero hours; AWS: every
 *   hour, zeros included), and refused nothing;</li>
 *   <li>the ledger holds every record ACCEPTED.</li>
 * </ul>
 * The producer is paced ({@code rate} events/s) so that the faults also hit it, not only the consumer.
 * <p>With {@code marketplaceFaults}, the simulated marketplaces misbehave while the hours are reported (the
 * simulator's fault injection, {@code /sim/faults}): throttling, server errors, lost answers and, in some calls, one
 * poisoned record that makes the whole call fail. Then every total must still reconcile, only the poisoned records
 * (on Alibaba: the instance-hours that hold one, since a push record is an instance's hour) may be REJECTED, their
 * usage handed to the vendor's billing as refused, and everything else ACCEPTED.
 * Usage: {@code BillingFaultRun [events] [faults: true|false] [rate] [marketplace faults: true|false]} starts its own
 * stack on free ports.
 * {@link #run} is also used by the stack's integration test with fewer events.
 */
public final class BillingFaultRun {

    /** The catalog of deploy/local/products.yml, restated here on purpose: the run checks the service's arithmetic. */
    static final Map<String, Map<String, BigDecimal>> PRICES = Map.of(
            "cmgj00063418", Map.of("cu_hours", new BigDecimal("1250"), "storage_gb_hours", new BigDecimal("1")),
            "cmgj00069406", Map.of("deployment_hours", new BigDecimal("150"), "traffic_gb", new BigDecimal("80")),
            "cmgj00053362", Map.of("datapoints_million", new BigDecimal("60"), "log_gb", new BigDecimal("120")),
            "zilliz-cloud-aws-cn", Map.of("cu_hours", new BigDecimal("1250")));
    /**
     * Units charged at a time, by product: the fewest worth a whole fen (Zilliz's units are worth ¥0.001, so ten;
     * the others ¥0.01, so one). Restated too: the marketplace bills whole fen, and what is under one is carried.
     */
    static final Map<String, Long> STEPS = Map.of("cmgj00063418", 10L, "cmgj00069406", 1L, "cmgj00053362", 1L,
            "zilliz-cloud-aws-cn", 10L);
    /** The marketplace's name of each dimension (Alibaba: the metering-assit). */
    static final Map<String, String> MARKETPLACE_DIMENSION = Map.of(
            "cmgj00063418/cu_hours", "cmgj00063418-Unit-1", "cmgj00063418/storage_gb_hours", "cmgj00063418-Unit-2",
            "cmgj00069406/deployment_hours", "cmgj00069406-Unit-1", "cmgj00069406/traffic_gb", "cmgj00069406-Unit-2",
            "cmgj00053362/datapoints_million", "cmgj00053362-Unit-1", "cmgj00053362/log_gb", "cmgj00053362-Unit-2",
            "zilliz-cloud-aws-cn/cu_hours", "cu_units");

    /** What happened. */
    public record Report(long events, long resent, double produceSeconds, double ingestSeconds, double reportSeconds,
                         List<String> faults, int subscriptions, int hours, long ledgerRecords, List<String> problems) {

        public boolean passed() {
            return problems.isEmpty();
        }

        public String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("| events | resent by the producer | subscriptions | hours | ledger records | produced in | all ingested after | reported after |\n");
            sb.append("|---|---|---|---|---|---|---|---|\n");
            sb.append(String.format("| %,d | %,d | %d | %d | %d | %.0f s | %.0f s | %.0f s |%n", events, resent,
                    subscriptions, hours, ledgerRecords, produceSeconds, ingestSeconds, reportSeconds));
            sb.append("\nFaults: ").append(String.join("; ", faults)).append("\n");
            sb.append(problems.isEmpty() ? "\nResult: every per-hour total, of subscriptions and of organizations, "
                    + "equals the input; every hour reached its marketplace exactly once with the rated value; every "
                    + "subscription and organization balances; every ledger record ACCEPTED.\n"
                    : "\nPROBLEMS:\n- " + String.join("\n- ", problems) + "\n");
            return sb.toString();
        }
    }

    /**
     * A subscription the run meters; {@code licenseArn} only on AWS; {@code organizationId}: the organization bound to it
     * before the run's usage began and for all of it (null: none), whose usage it pays for.
     */
    record Subscription(String id, String product, String licenseArn, String organizationId) {

        /** The key of the run's expectations of the organization's own usage ({@code org:<id>}). */
        String organizationSubject() {
            return "org:" + organizationId;
        }
    }

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final List<String> faults = new ArrayList<>();
    private final boolean marketplaceFaults;

    BillingFaultRun(LocalStack stack) {
        this(stack, false);
    }

    BillingFaultRun(LocalStack stack, boolean marketplaceFaults) {
        this.stack = stack;
        this.marketplaceFaults = marketplaceFaults;
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        boolean withFaults = args.length <= 1 || Boolean.parseBoolean(args[1]);
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 8000;
        boolean marketplaceFaults = args.length > 3 && Boolean.parseBoolean(args[3]);
        Path home = Path.of(System.getProperty("marketbill.home", ".")).toAbsolutePath().normalize();
        Map<String, String> env = StackConfig.onFreePorts(new HashMap<>(System.getenv()), "marketbill-fault");
        int code;
        try (LocalStack stack = new LocalStack(StackConfig.from(home, env::get))) {
            double started = stack.start();
            System.out.printf("stack healthy in %.1f s%n", started);
            Report r = run(stack, events, withFaults, rate, marketplaceFaults);
            System.out.println();
            System.out.println(r.markdown());
            code = r.passed() ? 0 : 1;
        }
        System.exit(code);
    }

    public static Report run(LocalStack stack, long events, boolean withFaults, int rate) throws Exception {
        return run(stack, events, withFaults, rate, false);
    }

    public static Report run(LocalStack stack, long events, boolean withFaults, int rate, boolean marketplaceFaults)
            throws Exception {
        return new BillingFaultRun(stack, marketplaceFaults).run(events, withFaults, rate);
    }

    private Report run(long events, boolean withFaults, int rate) throws Exception {
        String runId = Long.toString(System.currentTimeMillis(), 36);
        List<Subscription> subscriptions = openSubscriptions(runId);
        System.out.printf("%d subscriptions open in billing-service%n", subscriptions.size());
        long acceptedBefore = billing("/api/billing/usage/summary").path("acceptedEvents").asLong();

        Map<String, Long> expected = new TreeMap<>(); // subscription or org:<id>|dimension|hour -> micros
        ConcurrentLinkedQueue<String[]> failed = new ConcurrentLinkedQueue<>();
        AtomicLong resent = new AtomicLong();
        Random random = new Random(42);
        Instant start = Instant.now();
        Instant lastTime = start;
        Thread faultThread = new Thread(() -> injectFaults(acceptedBefore, events, withFaults), "faults");
        faultThread.start();
        try (KafkaProducer<String, String> producer = producer()) {
            long began = System.nanoTime();
            for (long i = 0; i < events; i++) {
                long due = began + i * 1_000_000_000L / rate;
                if (due > System.nanoTime()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                }
                Subscription s = subscriptions.get(random.nextInt(subscriptions.size()));
                List<String> dims = new ArrayList<>(PRICES.get(s.product()).keySet());
                dims.sort(null);
                String dimension = dims.get(random.nextInt(dims.size()));
                long micros = 1 + random.nextInt(2_000_000);
                Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                lastTime = at;
                String id = runId + "-" + i;
                // a third of a bound subscription's usage comes as its organization's, which it pays for
                boolean ofOrganization = s.organizationId() != null && random.nextInt(3) == 0;
                String value = ofOrganization ? organizationEvent(id, at, s.organizationId(), dimension, micros)
                        : cloudEvent(id, at, s.id(), dimension, micros);
                expected.merge((ofOrganization ? s.organizationSubject() : s.id()) + "|" + dimension + "|"
                        + at.truncatedTo(ChronoUnit.HOURS), micros, Long::sum);
                send(producer, ofOrganization ? s.organizationId() : s.id(), value, failed);
                if (i % 100_000 == 0 && i > 0) {
                    System.out.printf("%,d sent%n", i);
                }
            }
            producer.flush();
            // what the producer gave up on (e.g. while the broker was away) goes again: the same ids, deduplicated
            while (!failed.isEmpty()) {
                String[] f = failed.poll();
                resent.incrementAndGet();
                send(producer, f[0], f[1], failed);
                producer.flush();
            }
        }
        double produced = seconds(start);
        System.out.printf("%,d events produced in %.1f s (%,d resent)%n", events, produced, resent.get());

        waitUntil("billing-service took in every event", Duration.ofMinutes(40), () ->
                billing("/api/billing/usage/summary").path("acceptedEvents").asLong() - acceptedBefore >= events);
        faultThread.join();
        double ingested = seconds(start);
        System.out.printf("all ingested after %.1f s%n", ingested);

        Instant through = lastTime.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        Instant reportStart = Instant.now();
        if (marketplaceFaults) {
            injectMarketplaceFaults();
        }
        closeAndSettle(subscriptions, through);
        double reported = seconds(reportStart);
        List<String> problems = new ArrayList<>();
        long ledgerRecords;
        try {
            ledgerRecords = verify(subscriptions, expected, problems);
        } finally {
            if (marketplaceFaults) { // the stack's next user meets a well-behaved marketplace again
                http.send(HttpRequest.newBuilder(URI.create(simUrl("/sim/faults"))).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
            }
        }
        int hours = (int) expected.keySet().stream().map(k -> k.substring(k.lastIndexOf('|') + 1)).distinct().count();
        return new Report(events, resent.get(), produced, ingested, reported, List.copyOf(faults),
                subscriptions.size(), hours, ledgerRecords, problems);
    }

    /**
     * The conservation law as billing-service's balance states it (GET /api/billing/balance) for one subject over the
     * run's hours: every unit reported, not chargeable or handed to the vendor's billing, and the money of what was
     * billed telescoping to the ledger. Problems, one line each; none when it balances.
     */
    List<String> conservation(String parameter, String id, java.util.Collection<String> keys) throws Exception {
        List<Instant> hours = keys.stream().map(k -> Instant.parse(k.substring(k.lastIndexOf('|') + 1))).sorted()
                .toList();
        if (hours.isEmpty()) {
            return List.of();
        }
        JsonNode b = billing("/api/billing/balance?" + parameter + "=" + enc(id) + "&from=" + hours.get(0) + "&to="
                + hours.get(hours.size() - 1).plus(Duration.ofHours(1)));
        List<String> out = new ArrayList<>();
        if (!b.path("balanced").asBoolean(false)) {
            out.add("conservation of " + id + " does not hold: " + b);
        } else if (b.path("hours").isEmpty()) {
            out.add("conservation of " + id + ": no hour was attributed");
        }
        return out;
    }

    /**
     * Closes the hours of {@code subscriptions} up to {@code through} (only theirs: the hour stays open for everyone
     * else on the stack) and waits until every ledger record of theirs is settled (neither PENDING nor SENT).
     */
    void closeAndSettle(List<Subscription> subscriptions, Instant through) throws Exception {
        for (Subscription s : subscriptions) {
            HttpResponse<String> close;
            long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            do {
                close = http.send(HttpRequest.newBuilder(URI.create(billingUrl(
                        "/api/billing/hours/close?through=" + through + "&subscriptionId=" + enc(s.id()))))
                        .header("Authorization", operator())
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                // 409 busy: a replica's own closing or ledger run holds the lock; the API says to try again
                if (close.statusCode() == 409 && close.body().contains("\"busy\"")) {
                    Thread.sleep(500);
                }
            } while (close.statusCode() == 409 && close.body().contains("\"busy\"") && System.nanoTime() < until);
            if (close.statusCode() != 200) {
                throw new IllegalStateException("closing the hours of " + s.id() + " failed: " + close.body());
            }
        }
        long[] nudged = {0};
        waitUntil("every ledger record of the run settled", Duration.ofMinutes(15), () -> {
            if (marketplaceFaults && System.nanoTime() - nudged[0] > 10_000_000_000L) {
                // an Alibaba push whose answer was lost stays SENT until reconciliation finds it at the marketplace
                // (or not, and sends it again): what an operator does with POST /api/billing/reconciliation/run
                nudged[0] = System.nanoTime();
                http.send(HttpRequest.newBuilder(URI.create(billingUrl("/api/billing/reconciliation/run")))
                        .header("Authorization", operator())
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            }
            for (Subscription s : subscriptions) {
                for (JsonNode r : ledgerOf(s)) {
                    String state = r.path("state").asString();
                    if (state.equals("PENDING") || state.equals("SENT")) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    // ---- setting up ----

    /**
     * Opens the run's subscriptions at the simulated marketplaces; the first of each Alibaba listing is bound, through
     * the gateway, to an organization of its own that the run creates in the directory.
     */
    private List<Subscription> openSubscriptions(String runId) throws Exception {
        List<Subscription> out = new ArrayList<>();
        Organizations organizations = new Organizations(stack, "fault-operator");
        int n = 0;
        for (String product : List.of("cmgj00063418", "cmgj00069406", "cmgj00053362")) {
            for (int i = 0; i < 8; i++) {
                String order = "FAULT" + runId.toUpperCase() + (n++);
                post(simUrl("/sim/aliyun/instances"), "{\"productCode\":\"" + product + "\",\"aliUid\":\"18800000"
                        + String.format("%08d", n) + "\",\"skuId\":\"payg\",\"trial\":false,\"orderBizId\":\"" + order + "\"}");
                String organization = null;
                if (i == 0) {
                    organization = "org-fault-" + runId + "-" + n;
                    String admin = "fault-admin-" + runId + "-" + n;
                    organizations.create(organization, "Fault org " + n, admin, admin + "@fault.example", "en");
                    organizations.bind(order, organization, admin);
                }
                out.add(new Subscription("aliyun:" + order, product, null, organization));
            }
        }
        for (int i = 0; i < 6; i++) {
            String account = String.format("9%011d", Math.abs(new Random().nextLong()) % 100_000_000_000L);
            JsonNode c = json.readTree(post(simUrl("/sim/aws/customers"),
                    "{\"productCode\":\"zilliz-cloud-aws-cn\",\"accountId\":\"" + account + "\"}").body());
            post(simUrl("/sim/aws/customers/" + c.path("token").asString() + "/register"), "");
            String license = c.path("licenseArn").asString();
            out.add(new Subscription("aws:" + account + ":" + license.substring(license.lastIndexOf(':') + 1),
                    "zilliz-cloud-aws-cn", license, null));
        }
        for (Subscription s : out) {
            waitUntil(s.id() + " known to billing-service", Duration.ofSeconds(120), () ->
                    get(billingUrl("/api/billing/subscriptions/" + enc(s.id()))).statusCode() == 200);
        }
        return out;
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        // ride out a broker restart instead of failing
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        return new KafkaProducer<>(p);
    }

    private static void send(KafkaProducer<String, String> producer, String key, String value,
                             ConcurrentLinkedQueue<String[]> failed) {
        producer.send(new ProducerRecord<>("usage.v1", key, value), (meta, e) -> {
            if (e != null) {
                failed.add(new String[] {key, value});
            }
        });
    }

    static String cloudEvent(String id, Instant at, String subscriptionId, String dimension, long micros) {
        return usageEvent(id, at, "subscriptionId", subscriptionId, dimension, micros);
    }

    /** Usage of an organization: billing-service finds who pays for it, the subscription bound at its minute. */
    static String organizationEvent(String id, Instant at, String organizationId, String dimension, long micros) {
        return usageEvent(id, at, "organizationId", organizationId, dimension, micros);
    }

    private static String usageEvent(String id, Instant at, String addressedBy, String subject, String dimension,
                                     long micros) {
        return "{\"specversion\":\"1.0\",\"type\":\"io.marketbill.usage.recorded.v1\",\"source\":\"//fault-run/platform\","
                + "\"id\":\"" + id + "\",\"time\":\"" + at + "\",\"datacontenttype\":\"application/json\",\"data\":{"
                + "\"" + addressedBy + "\":\"" + subject + "\",\"dimension\":\"" + dimension + "\",\"quantity\":\""
                + BigDecimal.valueOf(micros, 6).toPlainString() + "\"}}";
    }

    // ---- the faults ----

    private void injectFaults(long acceptedBefore, long events, boolean withFaults) {
        if (!withFaults) {
            return;
        }
        try {
            waitUntil("30% ingested", Duration.ofMinutes(30), () -> ingestedSince(acceptedBefore) >= events * 3 / 10);
            long at = ingestedSince(acceptedBefore);
            Instant t = Instant.now();
            stack.service("billing-service").kill();
            stack.restart("billing-service");
            faults.add(String.format("billing-service SIGKILLed at %,d events ingested, ready again after %.1f s", at,
                    seconds(t)));
            System.out.println(faults.get(faults.size() - 1));
            waitUntil("60% ingested", Duration.ofMinutes(30), () -> ingestedSince(acceptedBefore) >= events * 6 / 10);
            at = ingestedSince(acceptedBefore);
            t = Instant.now();
            stack.stopKafka();
            stack.startKafkaAgain();
            faults.add(String.format("Kafka broker stopped at %,d events ingested and started again, back after %.1f s",
                    at, seconds(t)));
            System.out.println(faults.get(faults.size() - 1));
        } catch (Exception e) {
            faults.add("fault injection failed: " + e);
        }
    }

    /**
     * The marketplaces' faults while the run's hours are reported (each rule with its own seed, so a run meets the
     * same faults in the same calls): AWS throttles, fails with 500s and loses answers, Alibaba throttles, fails
     * once with a 500 and loses answers, and each poisons records, one in a call, that fail every call carrying them.
     */
    private void injectMarketplaceFaults() throws Exception {
        List<String> rules = List.of(
                "{\"marketplace\":\"aws\",\"kind\":\"THROTTLING\",\"rate\":0.2,\"seed\":1}",
                "{\"marketplace\":\"aws\",\"kind\":\"SERVER_ERROR\",\"rate\":0.15,\"seed\":2}",
                "{\"marketplace\":\"aws\",\"kind\":\"LOST_ANSWER\",\"rate\":0.15,\"seed\":3}",
                "{\"marketplace\":\"aws\",\"kind\":\"POISONED_RECORD\",\"rate\":1,\"count\":2,\"seed\":4}",
                "{\"marketplace\":\"aliyun\",\"kind\":\"THROTTLING\",\"rate\":0.2,\"seed\":5}",
                "{\"marketplace\":\"aliyun\",\"kind\":\"LOST_ANSWER\",\"rate\":0.2,\"seed\":6}",
                "{\"marketplace\":\"aliyun\",\"kind\":\"SERVER_ERROR\",\"count\":1,\"seed\":7}",
                "{\"marketplace\":\"aliyun\",\"kind\":\"POISONED_RECORD\",\"rate\":1,\"count\":2,\"seed\":8}");
        for (String rule : rules) {
            HttpResponse<String> r = post(simUrl("/sim/faults"), rule);
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("the simulator refused the fault " + rule + ": " + r.body());
            }
        }
        faults.add("marketplace faults while reporting: AWS throttling 20 %, 500s 15 %, lost answers 15 %, 2 poisoned "
                + "records; Alibaba throttling 20 %, lost answers 20 %, one 500, 2 poisoned records");
        System.out.println(faults.get(faults.size() - 1));
    }

    /**
     * The records the simulator poisoned, as the ledger names them: AWS {@code <license>|<dimension>|<hour>} and
     * Alibaba {@code aliyun:<instance>|<hour>} (a push record is an instance's hour, so all its dimensions go with it).
     */
    private java.util.Set<String> poisoned() throws Exception {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (JsonNode rule : json.readTree(get(simUrl("/sim/faults")).body())) {
            for (JsonNode key : rule.path("poisoned")) {
                String[] k = key.asString().split("\\|");
                out.add("aliyun".equals(rule.path("marketplace").asString())
                        ? "aliyun:" + k[0] + "|" + Instant.ofEpochSecond(Long.parseLong(k[2]))
                        : key.asString());
            }
        }
        return out;
    }

    private long ingestedSince(long before) {
        try {
            return billing("/api/billing/usage/summary").path("acceptedEvents").asLong() - before;
        } catch (Exception e) {
            return -1; // billing-service is down right now
        }
    }

    // ---- checking ----

    /**
     * Checks per-hour totals, rated hours, both marketplaces' records and the ledger of {@code subscriptions} against
     * {@code expected} (subscription or {@code org:<id>}|dimension|hour -> micro-units sent), and the conservation of
     * every subscription and bound organization; returns the ACCEPTED ledger records.
     */
    long verify(List<Subscription> subscriptions, Map<String, Long> expected, List<String> problems)
            throws Exception {
        java.util.Set<String> poisoned = marketplaceFaults ? poisoned() : java.util.Set.of();
        // 1. every per-hour total, of each subscription and of each organization, equals the sum of the input
        Map<String, Long> taken = new HashMap<>();
        for (Subscription s : subscriptions) {
            List<String[]> subjects = new ArrayList<>();
            subjects.add(new String[] {s.id(), "sub:" + s.id()});
            if (s.organizationId() != null) {
                subjects.add(new String[] {s.organizationSubject(), s.organizationSubject()});
            }
            for (String[] subject : subjects) {
                for (JsonNode h : billing("/api/billing/usage/summary?subject=" + enc(subject[1])).path("hours")) {
                    taken.put(subject[0] + "|" + h.path("dimension").asString() + "|" + h.path("hourStart").asString(),
                            h.path("quantityMicros").asLong());
                }
            }
        }
        expected.forEach((k, micros) -> {
            if (!micros.equals(taken.get(k))) {
                problems.add("total of " + k + ": sent " + micros + " micro-units, billing-service has " + taken.get(k));
            }
        });
        taken.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> problems.add("unexpected total " + k));

        // 2. rated hours (a bound organization's usage is its subscription's), and 3. the marketplaces' record
        Map<String, Long> units = new HashMap<>(); // subscription|dimension|hour -> units
        for (Subscription s : subscriptions) {
            Map<String, Long> paidFor = new TreeMap<>(); // hour|dimension -> micros, sorted by hour
            List<String> keys = keysOf(expected, s.id());
            List<String> organizationKeys = s.organizationId() == null ? List.of()
                    : keysOf(expected, s.organizationSubject());
            for (String k : concat(keys, organizationKeys)) {
                String[] p = k.split("\\|");
                paidFor.merge(p[p.length - 1] + "|" + p[p.length - 2], expected.get(k), Long::sum);
            }
            Map<String, BigDecimal> carry = new HashMap<>();
            paidFor.forEach((hourAndDimension, micros) -> {
                String hour = hourAndDimension.substring(0, hourAndDimension.indexOf('|'));
                String dimension = hourAndDimension.substring(hourAndDimension.indexOf('|') + 1);
                BigDecimal cost = BigDecimal.valueOf(micros, 6).multiply(PRICES.get(s.product()).get(dimension))
                        .add(carry.getOrDefault(dimension, BigDecimal.ZERO));
                BigDecimal step = BigDecimal.valueOf(STEPS.get(s.product()));
                BigDecimal whole = cost.divide(step, 0, RoundingMode.FLOOR).multiply(step);
                carry.put(dimension, cost.subtract(whole));
                units.put(s.id() + "|" + dimension + "|" + hour, whole.longValueExact());
            });
            for (JsonNode h : billing("/api/billing/hours?subscriptionId=" + enc(s.id()) + "&limit=1000").path("hours")) {
                String k = s.id() + "|" + h.path("dimension").asString() + "|" + h.path("hourStart").asString();
                long want = units.getOrDefault(k, 0L);
                if (h.path("units").asLong() != want) {
                    problems.add("rated " + k + ": " + h.path("units").asLong() + " units, expected " + want);
                }
            }
            problems.addAll(conservation("subscriptionId", s.id(), keys));
            if (s.organizationId() != null) {
                problems.addAll(conservation("organizationId", s.organizationId(), organizationKeys));
            }
        }
        JsonNode aliyun = json.readTree(get(simUrl("/sim/aliyun/metering")).body());
        List<JsonNode> refusedPushes = new ArrayList<>();
        // what the simulator refused on purpose (its fault injection) is the run's to survive, not a problem
        aliyun.path("refused").forEach(r -> {
            if (!r.path("Message").asString("").contains("fault injection")) {
                refusedPushes.add(r);
            }
        });
        if (!refusedPushes.isEmpty()) {
            problems.add("the simulated Alibaba refused pushes: " + refusedPushes);
        }
        Map<String, List<Long>> pushed = new HashMap<>(); // instance|assit|hour -> values
        aliyun.path("billed").forEach(b -> pushed.computeIfAbsent("aliyun:" + b.path("instanceId").asString() + "|"
                + b.path("meteringAssit").asString() + "|" + Instant.ofEpochSecond(b.path("startTime").asLong()),
                x -> new ArrayList<>()).add(b.path("value").asLong()));
        Map<String, List<Long>> metered = new HashMap<>(); // license|dimension|hour -> quantities
        json.readTree(get(simUrl("/sim/aws/metering")).body()).forEach(r -> metered.computeIfAbsent(
                // a record is its hour's, whatever second of it it is stamped with (billing stamps the last one)
                r.path("LicenseArn").asString() + "|" + r.path("Dimension").asString() + "|"
                        + Instant.parse(r.path("Timestamp").asString()).truncatedTo(ChronoUnit.HOURS),
                x -> new ArrayList<>()).add(r.path("Quantity").asLong()));
        List<String> hoursClosed = expected.keySet().stream().map(k -> k.substring(k.lastIndexOf('|') + 1)).distinct().toList();
        for (Subscription s : subscriptions) {
            for (String dimension : PRICES.get(s.product()).keySet()) {
                for (String hour : hoursClosed) {
                    String md = MARKETPLACE_DIMENSION.get(s.product() + "/" + dimension);
                    // a poisoned record never reaches the marketplace: it is the vendor's to bill
                    long want = isPoisoned(poisoned, s, md, hour) ? 0
                            : units.getOrDefault(s.id() + "|" + dimension + "|" + hour, 0L);
                    if (s.licenseArn() == null) {
                        List<Long> got = pushed.getOrDefault(s.id() + "|" + md + "|" + hour, List.of());
                        List<Long> should = want == 0 ? List.of() : List.of(want);
                        if (!got.equals(should)) {
                            problems.add("Alibaba got " + got + " for " + s.id() + " " + dimension + " " + hour
                                    + ", expected " + should);
                        }
                    } else {
                        List<Long> got = metered.getOrDefault(s.licenseArn() + "|" + md + "|" + hour, List.of());
                        if (!got.equals(isPoisoned(poisoned, s, md, hour) ? List.of() : List.of(want))) {
                            problems.add("AWS got " + got + " for " + s.id() + " " + dimension + " " + hour
                                    + ", expected [" + want + "]");
                        }
                    }
                }
            }
        }
        // 4. the ledger: every record ACCEPTED, but the poisoned ones, REJECTED and handed to the vendor's billing
        long accepted = 0;
        for (Subscription s : subscriptions) {
            for (JsonNode r : ledgerOf(s)) {
                String md = MARKETPLACE_DIMENSION.get(s.product() + "/" + r.path("dimension").asString());
                boolean bad = isPoisoned(poisoned, s, md, r.path("hourStart").asString());
                if (bad && !r.path("state").asString().equals("REJECTED")) {
                    problems.add("ledger record " + r.path("id").asLong() + " of " + s.id() + " was poisoned but is "
                            + r.path("state").asString());
                } else if (bad) {
                    problems.addAll(handedOff(s, r));
                } else if (r.path("state").asString().equals("ACCEPTED")) {
                    accepted++;
                } else {
                    problems.add("ledger record " + r.path("id").asLong() + " of " + s.id() + " is "
                            + r.path("state").asString() + ": " + r.path("lastError").asString());
                }
            }
        }
        return accepted;
    }

    /** The keys of {@code expected} of one subject, by hour. */
    private static List<String> keysOf(Map<String, Long> expected, String subject) {
        return expected.keySet().stream().filter(k -> k.startsWith(subject + "|")).sorted(
                java.util.Comparator.comparing((String k) -> k.substring(k.lastIndexOf('|') + 1))).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static boolean isPoisoned(java.util.Set<String> poisoned, Subscription s, String marketplaceDimension,
                                      String hour) {
        return s.licenseArn() != null ? poisoned.contains(s.licenseArn() + "|" + marketplaceDimension + "|" + hour)
                : poisoned.contains(s.id() + "|" + hour);
    }

    /** A refused record's usage is in its hour's balance as refused by the marketplace, so handed to vendor billing. */
    private List<String> handedOff(Subscription s, JsonNode record) throws Exception {
        String hour = record.path("hourStart").asString();
        JsonNode b = billing("/api/billing/balance?subscriptionId=" + enc(s.id()) + "&from=" + hour + "&to="
                + Instant.parse(hour).plus(Duration.ofHours(1)));
        for (JsonNode h : b.path("hours")) {
            if (h.path("dimension").asString().equals(record.path("dimension").asString())) {
                return new BigDecimal(h.path("billedRefused").asString()).signum() > 0 || record.path("units").asLong() == 0
                        ? List.of() : List.of("the refused record " + record.path("id").asLong() + " of " + s.id()
                        + " is not in its balance as refused: " + h);
            }
        }
        return List.of("no balance of " + s.id() + " " + record.path("dimension").asString() + " " + hour);
    }

    JsonNode ledgerOf(Subscription s) throws IOException, InterruptedException {
        return billing("/api/billing/ledger?limit=1000&subscriptionId=" + enc(s.id())).path("records");
    }

    // ---- plumbing ----

    JsonNode billing(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(billingUrl(path));
        if (r.statusCode() != 200) {
            throw new IOException(path + " answered " + r.statusCode());
        }
        return json.readTree(r.body());
    }

    String billingUrl(String path) {
        return stack.config().url(stack.config().billingPort()) + path;
    }

    private String simUrl(String path) {
        return stack.config().url(stack.config().simulatorPort()) + path;
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                        .header("Authorization", operator()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(300))
                .header("Authorization", operator())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String operatorToken;
    private Instant operatorTokenAt = Instant.MIN;

    /**
     * An operator's Authorization, for the services' own ports (every API wants a token; the simulator ignores it).
     * From the development login, renewed every half hour: a long run outlives a token.
     */
    private synchronized String operator() throws IOException, InterruptedException {
        if (operatorToken == null || Instant.now().isAfter(operatorTokenAt.plus(Duration.ofMinutes(30)))) {
            operatorToken = io.marketbill.localstack.DevLoginTokens.fetch(stack.config(), "fault-operator", "operator");
            operatorTokenAt = Instant.now();
        }
        return "Bearer " + operatorToken;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void waitUntil(String what, Duration timeout, Check check) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (true) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException e) {
                // the service is restarting
            }
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            Thread.sleep(250);
        }
    }
}

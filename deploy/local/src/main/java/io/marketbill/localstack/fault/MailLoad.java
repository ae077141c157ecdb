package io.marketbill.localstack.fault;

import io.marketbill.localstack.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Mail load for the notification fault test and the mail benchmark: an organization with many admins (through
 * the directory admin API, as the vendor's platform would), then billing-critical events for it on
 * {@code binding.v1}, as binding-service publishes them: each event is one mail per admin.
 */
public final class MailLoad {

    private final LocalStack stack;
    private final String operatorToken;
    private final HttpClient http = HttpClient.newHttpClient();

    public MailLoad(LocalStack stack, String operatorToken) {
        this.stack = stack;
        this.operatorToken = operatorToken;
    }

    /** An organization with {@code admins} admins, {@code <prefix>-<n>@load.example}; waits until mail knows them. */
    public void organization(String organizationId, int admins) throws Exception {
        put("/api/directory/organizations/" + organizationId, "{\"name\":\"Load " + organizationId + "\",\"site\":null}");
        for (int i = 0; i < admins; i++) {
            put("/api/directory/organizations/" + organizationId + "/members/" + organizationId + "-u" + i,
                    "{\"role\":\"ADMIN\",\"email\":\"" + address(organizationId, i) + "\",\"name\":\"Admin " + i
                            + "\",\"language\":\"" + (i % 2 == 0 ? "zh-CN" : "en") + "\"}");
        }
    }

    public static String address(String organizationId, int i) {
        return organizationId + "-" + i + "@load.example";
    }

    private void put(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.config().url(stack.config().gatewayPort())
                        + path)).header("Authorization", "Bearer " + operatorToken).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** Publishes {@code events} OrgFrozen events for the organization; returns when Kafka has them all. */
    public void freezes(String organizationId, int events) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < events; i++) {
                String subscription = "aliyun:MAIL-" + organizationId + "-" + i;
                String envelope = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"OrgFrozen\",\"schemaVersion\":1,"
                        + "\"occurredAt\":\"" + Instant.now() + "\",\"producer\":\"binding-service\",\"marketplace\":\"aliyun\","
                        + "\"subscriptionId\":\"" + subscription + "\",\"payload\":{\"organizationId\":\"" + organizationId
                        + "\",\"reason\":\"SUBSCRIPTION_FROZEN\"}}";
                producer.send(new ProducerRecord<>("binding.v1", subscription, envelope));
            }
            producer.flush();
        }
    }

    /** How many times each Message-ID reached the admins' own inboxes (not the archive's blind copies). */
    public Map<String, Integer> delivered(String organizationId, int admins) throws Exception {
        Map<String, Integer> byMessageId = new HashMap<>();
        var users = stack.mailServer().getUserManager();
        var imap = stack.mailServer().getManagers().getImapHostManager();
        for (int i = 0; i < admins; i++) {
            var user = users.getUserByEmail(address(organizationId, i));
            if (user == null) {
                continue; // nothing delivered to this address yet
            }
            for (var stored : imap.getInbox(user).getMessages()) {
                byMessageId.merge(stored.getMimeMessage().getMessageID(), 1, Integer::sum);
            }
        }
        return byMessageId;
    }

    /** Waits until the condition holds. */
    public static void await(String what, Duration timeout, java.util.concurrent.Callable<Boolean> check) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (!Boolean.TRUE.equals(safely(check))) {
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private static Boolean safely(java.util.concurrent.Callable<Boolean> check) {
        try {
            return check.call();
        } catch (Exception e) {
            return false;
        }
    }
}

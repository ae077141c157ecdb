package io.marketbill.messaging.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes outbox rows to Kafka, oldest first, and deletes them once the broker acknowledged them
 * (acks=all): at least once, in commit order per key. Only one relay per service schema is active at a
 * time (a PostgreSQL advisory lock), so several replicas do not reorder a subscription's events.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    record Row(long id, String topic, String key, String payload) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final KafkaTemplate<String, String> kafka;
    private final int batchSize;
    private final Duration pollInterval;
    private final Duration sendTimeout;
    private final Semaphore wakeUps = new Semaphore(0);
    private final Counter published;
    private final Counter failures;
    private final AtomicLong backlog = new AtomicLong();
    private volatile boolean running;
    private Thread worker;

    public OutboxRelay(JdbcClient jdbc, TransactionTemplate tx, KafkaTemplate<String, String> kafka, int batchSize,
                       Duration pollInterval, Duration sendTimeout, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.kafka = kafka;
        this.batchSize = batchSize;
        this.pollInterval = pollInterval;
        this.sendTimeout = sendTimeout;
        this.published = Counter.builder("marketbill.outbox.published")
                .description("Outbox events published to Kafka").register(meters);
        this.failures = Counter.builder("marketbill.outbox.publish.failures")
                .description("Outbox relay rounds that failed and will be retried").register(meters);
        Gauge.builder("marketbill.outbox.backlog", backlog, AtomicLong::get)
                .description("Outbox events not yet published").register(meters);
    }

    /** Asks the relay to look now rather than at its next poll (called after a commit that added events). */
    public void wakeUp() {
        wakeUps.release();
    }

    /** One round: publishes up to a batch. Returns how many were published, or -1 if another replica holds the lock. */
    public int relayOnce() {
        Integer count = tx.execute(status -> {
            Boolean locked = jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox_relay'))")
                    .query(Boolean.class).single();
            if (!Boolean.TRUE.equals(locked)) {
                return -1;
            }
            List<Row> rows = jdbc.sql("SELECT id, topic, message_key, payload FROM outbox_event ORDER BY id LIMIT :n")
                    .param("n", batchSize)
                    .query((rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .list();
            if (rows.isEmpty()) {
                backlog.set(0);
                return 0;
            }
            List<CompletableFuture<?>> sends = new ArrayList<>(rows.size());
            for (Row row : rows) {
                sends.add(kafka.send(new ProducerRecord<>(row.topic(), row.key(), row.payload())));
            }
            try {
                CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                        .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // nothing is deleted: the whole batch is sent again (consumers drop the repeats)
                throw new IllegalStateException("publishing outbox batch failed: " + e.getMessage(), e);
            }
            Long[] ids = rows.stream().map(Row::id).toArray(Long[]::new);
            jdbc.sql("DELETE FROM outbox_event WHERE id = ANY(:ids)").param("ids", ids).update();
            published.increment(rows.size());
            return rows.size();
        });
        if (count != null && count >= 0) {
            refreshBacklog();
        }
        return count == null ? 0 : count;
    }

    private void refreshBacklog() {
        backlog.set(jdbc.sql("SELECT count(*) FROM outbox_event").query(Long.class).single());
    }

    private void loop() {
        long failureDelay = pollInterval.toMillis();
        while (running) {
            int n;
            try {
                n = relayOnce();
                failureDelay = pollInterval.toMillis();
            } catch (RuntimeException e) {
                failures.increment();
                MDC.remove("subscriptionId");
                log.warn("outbox relay round failed, retrying in {} ms: {}", failureDelay, e.getMessage());
                sleep(failureDelay);
                failureDelay = Math.min(failureDelay * 2, 10_000);
                continue;
            }
            if (n == batchSize) {
                continue; // more may be waiting
            }
            try {
                wakeUps.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void start() {
        running = true;
        worker = new Thread(this::loop, "outbox-relay");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void stop() {
        running = false;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stop before the Kafka producer and the data source go away
        return Integer.MAX_VALUE - 100;
    }
}

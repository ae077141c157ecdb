package io.marketbill.messaging.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code marketbill.messaging.*}: retries, outbox relay and health settings shared by every service. */
@ConfigurationProperties("marketbill.messaging")
public class MessagingProperties {

    /** Attempts for a failing record before it goes to the dead-letter topic (first try included). */
    private int maxAttempts = 4;
    /** First retry delay of a failing record; doubles each time up to max-retry-interval. */
    private Duration initialRetryInterval = Duration.ofMillis(500);
    /** Longest retry delay of a failing record. */
    private Duration maxRetryInterval = Duration.ofSeconds(5);
    /** Delay between retries while the database is unreachable (such records are never dead-lettered). */
    private Duration infrastructureRetryInterval = Duration.ofSeconds(5);
    /** Outbox events the relay publishes in one round; after a full round it starts the next at once. */
    private int outboxBatchSize = 500;
    /** How long the relay waits for new outbox events unless a commit wakes it; also its first retry delay. */
    private Duration outboxPollInterval = Duration.ofMillis(500);
    /** How long the relay waits for the broker to acknowledge a round; then the whole round is sent again. */
    private Duration outboxSendTimeout = Duration.ofSeconds(15);
    /** How long readiness waits for the Kafka cluster to answer a describe before it reports DOWN. */
    private Duration kafkaHealthTimeout = Duration.ofSeconds(3);

    public int getMaxAttempts() { return maxAttempts; }
    public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
    public Duration getInitialRetryInterval() { return initialRetryInterval; }
    public void setInitialRetryInterval(Duration d) { this.initialRetryInterval = d; }
    public Duration getMaxRetryInterval() { return maxRetryInterval; }
    public void setMaxRetryInterval(Duration d) { this.maxRetryInterval = d; }
    public Duration getInfrastructureRetryInterval() { return infrastructureRetryInterval; }
    public void setInfrastructureRetryInterval(Duration d) { this.infrastructureRetryInterval = d; }
    public int getOutboxBatchSize() { return outboxBatchSize; }
    public void setOutboxBatchSize(int n) { this.outboxBatchSize = n; }
    public Duration getOutboxPollInterval() { return outboxPollInterval; }
    public void setOutboxPollInterval(Duration d) { this.outboxPollInterval = d; }
    public Duration getOutboxSendTimeout() { return outboxSendTimeout; }
    public void setOutboxSendTimeout(Duration d) { this.outboxSendTimeout = d; }
    public Duration getKafkaHealthTimeout() { return kafkaHealthTimeout; }
    public void setKafkaHealthTimeout(Duration d) { this.kafkaHealthTimeout = d; }
}

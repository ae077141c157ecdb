package io.marketbill.contracts;

/**
 * Kafka topics of the system. Records on the subscription topics are keyed by the subscription id so
 * that one subscription's events stay in order (one partition per key).
 */
public final class Topics {

    /** SubscriptionOpened, -Changed, -Frozen, -Resumed, -Closed; produced by gateway-service. */
    public static final String MARKETPLACE_SUBSCRIPTIONS = "marketplace.subscriptions.v1";
    /** Binding decisions and what they cause; produced by binding-service (outbox). */
    public static final String BINDING = "binding.v1";
    /** The vendor's organization directory; key: organization id. */
    public static final String DIRECTORY = "directory.v1";
    /** Usage records (CloudEvents); key: organization or subscription id. */
    public static final String USAGE = "usage.v1";
    /** Rating and metering outcomes; produced by billing-service (outbox). */
    public static final String BILLING = "billing.v1";

    private Topics() {
    }

    /** The dead-letter topic of one consumer group on one topic: {@code <topic>.<group>.dlt}. */
    public static String deadLetter(String topic, String consumerGroup) {
        if (topic == null || topic.isBlank() || consumerGroup == null || consumerGroup.isBlank()) {
            throw new IllegalArgumentException("topic and consumer group are required");
        }
        return topic + "." + consumerGroup + ".dlt";
    }
}

package io.marketbill.messaging.deadletter;

import java.time.Instant;

/** A record a consumer gave up on, as listed by the dead-letter API. */
public record DeadLetter(
        long id,
        String consumerGroup,
        String topic,
        int partition,
        long offset,
        String deadLetterTopic,
        String key,
        String eventId,
        String eventType,
        String subscriptionId,
        String exceptionClass,
        String exceptionMessage,
        Instant failedAt,
        int replayCount,
        Instant replayedAt,
        String payload) {
}

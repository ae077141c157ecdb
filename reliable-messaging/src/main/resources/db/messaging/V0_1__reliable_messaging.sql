-- The reliable-messaging tables, in the schema of the service that uses them (see marketbill-messaging.yml).

-- Events waiting to be published; written in the same transaction as the state change that caused them.
CREATE TABLE outbox_event (
    id           BIGSERIAL PRIMARY KEY,
    topic        VARCHAR(249) NOT NULL,
    message_key  VARCHAR(512) NOT NULL,
    event_id     UUID         NOT NULL,
    event_type   VARCHAR(128) NOT NULL,
    payload      TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- One row per (consumer, event) already applied; written in the consumer's own transaction.
CREATE TABLE processed_event (
    consumer      VARCHAR(200) NOT NULL,
    event_id      UUID         NOT NULL,
    processed_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_event_processed_at ON processed_event (processed_at);

-- What a consumer gave up on, as also published to its dead-letter topic.
CREATE TABLE dead_letter (
    id                 BIGSERIAL PRIMARY KEY,
    consumer_group     VARCHAR(200) NOT NULL,
    topic              VARCHAR(249) NOT NULL,
    kafka_partition    INT          NOT NULL,
    kafka_offset       BIGINT       NOT NULL,
    dead_letter_topic  VARCHAR(249) NOT NULL,
    message_key        VARCHAR(512),
    payload            TEXT,
    event_id           VARCHAR(64),
    event_type         VARCHAR(128),
    subscription_id    VARCHAR(512),
    exception_class    VARCHAR(512) NOT NULL,
    exception_message  TEXT,
    failed_at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    replay_count       INT          NOT NULL DEFAULT 0,
    replayed_at        TIMESTAMPTZ,
    UNIQUE (consumer_group, topic, kafka_partition, kafka_offset)
);
CREATE INDEX dead_letter_pending ON dead_letter (failed_at) WHERE replayed_at IS NULL;

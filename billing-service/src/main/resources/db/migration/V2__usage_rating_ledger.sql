-- What the marketplace needs to meter a subscription (AWS: the customer and license).
ALTER TABLE metered_subscription ADD COLUMN marketplace_account_id VARCHAR(200);
ALTER TABLE metered_subscription ADD COLUMN customer_identifier VARCHAR(200);
ALTER TABLE metered_subscription ADD COLUMN license_arn VARCHAR(512);
ALTER TABLE metered_subscription ADD COLUMN opened_at TIMESTAMPTZ;
-- The first hour of this subscription not rated yet.
ALTER TABLE metered_subscription ADD COLUMN next_hour TIMESTAMPTZ;

-- Usage events already counted, by CloudEvents (source, id); kept for the dedupe window (32 days).
CREATE TABLE usage_event_seen (
    source       VARCHAR(200) NOT NULL,
    event_id     VARCHAR(200) NOT NULL,
    received_at  TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX usage_event_seen_received ON usage_event_seen (received_at);

-- Accepted usage per subject ('sub:<subscription id>' or 'org:<organization id>'), dimension and minute.
-- Minutes, not hours, so that a freeze or a re-binding in the middle of an hour charges each minute right.
CREATE TABLE usage_minute (
    subject          VARCHAR(520) NOT NULL,
    dimension        VARCHAR(64)  NOT NULL,
    minute_start     TIMESTAMPTZ  NOT NULL,
    quantity_micros  BIGINT       NOT NULL,
    events           BIGINT       NOT NULL,
    PRIMARY KEY (subject, dimension, minute_start)
);
CREATE INDEX usage_minute_minute ON usage_minute (minute_start);

-- Refused usage events, each with its reason.
CREATE TABLE usage_rejection (
    seq          BIGSERIAL PRIMARY KEY,
    source       VARCHAR(200),
    event_id     VARCHAR(200),
    reason       VARCHAR(64)  NOT NULL,
    message      VARCHAR(500) NOT NULL,
    event_time   TIMESTAMPTZ,
    received_at  TIMESTAMPTZ  NOT NULL
);

-- Who pays for an organization when: from SubscriptionBound / SubscriptionUnbound on binding.v1.
CREATE TABLE binding_period (
    organization_id  VARCHAR(200) NOT NULL,
    subscription_id  VARCHAR(512) NOT NULL,
    bound_at         TIMESTAMPTZ  NOT NULL,
    unbound_at       TIMESTAMPTZ,
    PRIMARY KEY (organization_id, subscription_id, bound_at)
);
CREATE INDEX binding_period_subscription ON binding_period (subscription_id);

-- Hours before closed_through are closed: their usage was attributed and rated.
CREATE TABLE hour_closing (
    id              SMALLINT PRIMARY KEY CHECK (id = 1),
    closed_through  TIMESTAMPTZ NOT NULL
);

-- The sub-unit remainder carried to the next hour, per subscription and dimension (in 0.01-yuan units, exact).
CREATE TABLE rating_carry (
    subscription_id  VARCHAR(512) NOT NULL,
    dimension        VARCHAR(64)  NOT NULL,
    carry            NUMERIC(40, 20) NOT NULL,
    PRIMARY KEY (subscription_id, dimension)
);

-- Every rated hour of every billed subscription and dimension, zeros included.
CREATE TABLE rated_hour (
    subscription_id  VARCHAR(512) NOT NULL,
    dimension        VARCHAR(64)  NOT NULL,
    hour_start       TIMESTAMPTZ  NOT NULL,
    product_code     VARCHAR(128) NOT NULL,
    quantity_micros  BIGINT       NOT NULL,
    units            BIGINT       NOT NULL,
    carry_in         NUMERIC(40, 20) NOT NULL,
    carry_out        NUMERIC(40, 20) NOT NULL,
    price_version    VARCHAR(40)  NOT NULL,
    trial            BOOLEAN      NOT NULL,
    rated_at         TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (subscription_id, dimension, hour_start)
);

-- Usage that no subscription pays for, with why: kept and shown, never dropped.
CREATE TABLE unbilled_hour (
    subject          VARCHAR(520) NOT NULL,
    dimension        VARCHAR(64)  NOT NULL,
    hour_start       TIMESTAMPTZ  NOT NULL,
    reason           VARCHAR(32)  NOT NULL,
    quantity_micros  BIGINT       NOT NULL,
    PRIMARY KEY (subject, dimension, hour_start, reason)
);

-- The metering ledger: one record per subscription, dimension and hour sent to the marketplace.
CREATE TABLE metering_record (
    id                     BIGSERIAL PRIMARY KEY,
    subscription_id        VARCHAR(512) NOT NULL,
    marketplace            VARCHAR(16)  NOT NULL,
    product_code           VARCHAR(128) NOT NULL,
    dimension              VARCHAR(64)  NOT NULL,
    hour_start             TIMESTAMPTZ  NOT NULL,
    units                  BIGINT       NOT NULL CHECK (units >= 0),
    state                  VARCHAR(16)  NOT NULL CHECK (state IN ('PENDING', 'SENT', 'ACCEPTED', 'REJECTED')),
    attempts               INT          NOT NULL DEFAULT 0,
    next_attempt_at        TIMESTAMPTZ  NOT NULL,
    deadline               TIMESTAMPTZ  NOT NULL,
    overdue                BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at             TIMESTAMPTZ  NOT NULL,
    sent_at                TIMESTAMPTZ,
    settled_at             TIMESTAMPTZ,
    last_error             VARCHAR(500),
    marketplace_record_id  VARCHAR(200),
    UNIQUE (subscription_id, dimension, hour_start)
);
CREATE INDEX metering_record_due ON metering_record (state, next_attempt_at);

-- Alibaba allows one PushMeteringData per instance per 60 s.
CREATE TABLE aliyun_push (
    instance_id   VARCHAR(200) PRIMARY KEY,
    last_push_at  TIMESTAMPTZ NOT NULL
);

-- What reconciliation found between the ledger and the marketplace's record.
CREATE TABLE reconciliation_difference (
    id                 BIGSERIAL PRIMARY KEY,
    marketplace        VARCHAR(16)  NOT NULL,
    subscription_id    VARCHAR(512) NOT NULL,
    dimension          VARCHAR(64)  NOT NULL,
    hour_start         TIMESTAMPTZ  NOT NULL,
    kind               VARCHAR(32)  NOT NULL,
    ledger_units       BIGINT,
    marketplace_units  BIGINT,
    found_at           TIMESTAMPTZ  NOT NULL,
    resolved_at        TIMESTAMPTZ,
    UNIQUE (subscription_id, dimension, hour_start, kind)
);

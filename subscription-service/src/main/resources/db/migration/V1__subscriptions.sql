-- The registry of marketplace subscriptions (owned by subscription-service; no other service reads it).
CREATE TABLE subscription (
    id                      VARCHAR(512) PRIMARY KEY,
    marketplace             VARCHAR(16)  NOT NULL,
    product_code            VARCHAR(128) NOT NULL,
    sku_id                  VARCHAR(128),
    trial                   BOOLEAN      NOT NULL,
    marketplace_account_id  VARCHAR(128) NOT NULL,
    order_id                VARCHAR(128),
    customer_identifier     VARCHAR(256),
    license_arn             VARCHAR(512),
    billable_items          TEXT         NOT NULL DEFAULT '{}',
    state                   VARCHAR(16)  NOT NULL CHECK (state IN ('ACTIVE', 'FROZEN', 'CLOSED')),
    expires_at              TIMESTAMPTZ,
    opened_at               TIMESTAMPTZ  NOT NULL,
    frozen_at               TIMESTAMPTZ,
    closed_at               TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ  NOT NULL
);
CREATE INDEX subscription_account ON subscription (marketplace, marketplace_account_id);
CREATE INDEX subscription_state ON subscription (state);

-- Every lifecycle event applied to a subscription, once (event_id is unique).
CREATE TABLE subscription_history (
    seq              BIGSERIAL PRIMARY KEY,
    subscription_id  VARCHAR(512) NOT NULL REFERENCES subscription (id),
    event_id         UUID         NOT NULL UNIQUE,
    event_type       VARCHAR(64)  NOT NULL,
    occurred_at      TIMESTAMPTZ  NOT NULL,
    recorded_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    state_after      VARCHAR(16)  NOT NULL,
    details          TEXT         NOT NULL
);
CREATE INDEX subscription_history_subscription ON subscription_history (subscription_id, seq);

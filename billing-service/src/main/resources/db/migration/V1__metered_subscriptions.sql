-- Whether usage of a subscription is billed right now; fed by marketplace.subscriptions.v1.
CREATE TABLE metered_subscription (
    subscription_id  VARCHAR(512) PRIMARY KEY,
    marketplace      VARCHAR(16)  NOT NULL,
    product_code     VARCHAR(128) NOT NULL,
    sku_id           VARCHAR(128),
    trial            BOOLEAN      NOT NULL,
    metering         VARCHAR(16)  NOT NULL CHECK (metering IN ('BILLING', 'PAUSED', 'ENDED')),
    changed_at       TIMESTAMPTZ  NOT NULL
);
-- When billing stopped and started again: usage is charged only inside BILLING periods.
CREATE TABLE metering_period_change (
    seq              BIGSERIAL PRIMARY KEY,
    subscription_id  VARCHAR(512) NOT NULL REFERENCES metered_subscription (subscription_id),
    metering         VARCHAR(16)  NOT NULL,
    changed_at       TIMESTAMPTZ  NOT NULL
);

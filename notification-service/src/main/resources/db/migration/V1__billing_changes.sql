-- Every billing change a user must hear of (R19), in arrival order; the mail issue delivers them.
CREATE TABLE billing_change (
    event_id         UUID PRIMARY KEY,
    subscription_id  VARCHAR(512) NOT NULL,
    product_code     VARCHAR(128),
    change           VARCHAR(32)  NOT NULL,
    occurred_at      TIMESTAMPTZ  NOT NULL,
    recorded_at      TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX billing_change_subscription ON billing_change (subscription_id, occurred_at);

-- Marketplace subscriptions that can be (or were) bound to an organization; fed by marketplace.subscriptions.v1.
CREATE TABLE bindable_subscription (
    subscription_id         VARCHAR(512) PRIMARY KEY,
    marketplace             VARCHAR(16)  NOT NULL,
    product_code            VARCHAR(128) NOT NULL,
    marketplace_account_id  VARCHAR(128) NOT NULL,
    trial                   BOOLEAN      NOT NULL,
    status                  VARCHAR(16)  NOT NULL CHECK (status IN ('OPEN', 'FROZEN', 'CLOSED')),
    opened_at               TIMESTAMPTZ  NOT NULL,
    closed_at               TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ  NOT NULL
);
CREATE INDEX bindable_subscription_account ON bindable_subscription (marketplace, marketplace_account_id);

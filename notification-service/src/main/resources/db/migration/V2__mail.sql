-- The vendor's directory as far as mail needs it: who administers which organization, their address and language.
CREATE TABLE organization (
    organization_id  VARCHAR(200) PRIMARY KEY,
    name             VARCHAR(200)
);
CREATE TABLE directory_user (
    user_id   VARCHAR(200) PRIMARY KEY,
    email     VARCHAR(320),
    name      VARCHAR(200),
    language  VARCHAR(16)
);
CREATE TABLE membership (
    organization_id  VARCHAR(200) NOT NULL,
    user_id          VARCHAR(200) NOT NULL,
    role             VARCHAR(16)  NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
-- Which organizations a marketplace account paid for (from SubscriptionBound): the buyer's address on a new subscription.
CREATE TABLE account_organization (
    marketplace_account_id  VARCHAR(200) NOT NULL,
    organization_id         VARCHAR(200) NOT NULL,
    PRIMARY KEY (marketplace_account_id, organization_id)
);
-- Addresses that opted out of optional mail; billing-critical mail is sent regardless.
CREATE TABLE mail_opt_out (
    email        VARCHAR(320) PRIMARY KEY,
    opted_out_at TIMESTAMPTZ NOT NULL
);
-- The send log: one row per (event, recipient), so a redelivered event or a restart mails nobody twice.
CREATE TABLE mail (
    id               BIGSERIAL PRIMARY KEY,
    event_id         UUID         NOT NULL,
    recipient        VARCHAR(320) NOT NULL,
    mail_type        VARCHAR(40)  NOT NULL,
    language         VARCHAR(16)  NOT NULL,
    product_code     VARCHAR(128),
    critical         BOOLEAN      NOT NULL,
    model            TEXT         NOT NULL,
    state            VARCHAR(16)  NOT NULL CHECK (state IN ('PENDING', 'SENDING', 'SENT', 'DEAD', 'SKIPPED')),
    attempts         INT          NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ  NOT NULL,
    last_error       VARCHAR(500),
    subject          VARCHAR(300),
    message_id       VARCHAR(200) NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    sent_at          TIMESTAMPTZ,
    UNIQUE (event_id, recipient)
);
CREATE INDEX mail_due ON mail (state, next_attempt_at);
CREATE INDEX mail_recipient_sent ON mail (recipient, sent_at);

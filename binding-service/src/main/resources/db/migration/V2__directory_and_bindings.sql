-- The vendor's organization directory, fed by directory.v1 and the admin API.
CREATE TABLE organization (
    organization_id   VARCHAR(128) PRIMARY KEY,
    name              VARCHAR(256) NOT NULL,
    site              VARCHAR(64),
    deleted           BOOLEAN      NOT NULL DEFAULT FALSE,
    -- frozen because its marketplace subscription was suspended or closed (R13)
    frozen            BOOLEAN      NOT NULL DEFAULT FALSE,
    -- how it pays now: VENDOR (own billing), MARKETPLACE, or NONE after a close without fallback
    billing_channel   VARCHAR(16)  NOT NULL DEFAULT 'VENDOR' CHECK (billing_channel IN ('VENDOR', 'MARKETPLACE', 'NONE')),
    billing_account   VARCHAR(160),
    updated_at        TIMESTAMPTZ  NOT NULL
);

CREATE TABLE directory_user (
    user_id     VARCHAR(128) PRIMARY KEY,
    email       VARCHAR(320),
    name        VARCHAR(256),
    language    VARCHAR(16)  NOT NULL DEFAULT 'zh-CN',
    updated_at  TIMESTAMPTZ  NOT NULL
);

CREATE TABLE membership (
    organization_id  VARCHAR(128) NOT NULL,
    user_id          VARCHAR(128) NOT NULL,
    role             VARCHAR(16)  NOT NULL CHECK (role IN ('ADMIN', 'MEMBER')),
    updated_at       TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX membership_user ON membership (user_id);

-- Which subscription pays for which organization. Active while unbound_at is null. The unique indexes are
-- what decides a race: two binds at the same moment, one insert wins, the other conflicts ("already bound").
CREATE TABLE binding (
    binding_id              BIGSERIAL    PRIMARY KEY,
    subscription_id         VARCHAR(512) NOT NULL,
    organization_id         VARCHAR(128) NOT NULL,
    product_code            VARCHAR(128) NOT NULL,
    marketplace             VARCHAR(16)  NOT NULL,
    marketplace_account_id  VARCHAR(128) NOT NULL,
    -- the subscription may pay for this organization only (every policy but ACCOUNT_PAYS_FOR_MANY_WORKSPACES)
    exclusive               BOOLEAN      NOT NULL,
    bound_by                VARCHAR(128) NOT NULL,
    bound_at                TIMESTAMPTZ  NOT NULL,
    previous_subscription_id VARCHAR(512),
    unbound_at              TIMESTAMPTZ,
    unbound_by              VARCHAR(128),
    unbind_reason           VARCHAR(32)
);
CREATE UNIQUE INDEX binding_one_subscription_per_organization ON binding (organization_id) WHERE unbound_at IS NULL;
CREATE UNIQUE INDEX binding_exclusive_subscription ON binding (subscription_id) WHERE unbound_at IS NULL AND exclusive;
CREATE UNIQUE INDEX binding_subscription_organization ON binding (subscription_id, organization_id) WHERE unbound_at IS NULL;
CREATE INDEX binding_subscription ON binding (subscription_id);
CREATE INDEX binding_organization ON binding (organization_id);

-- ONE_ACCOUNT_ONE_VENDOR_ACCOUNT (EMQX, R8): a marketplace account and an organization, linked for good.
CREATE TABLE account_link (
    product_code            VARCHAR(128) NOT NULL,
    marketplace             VARCHAR(16)  NOT NULL,
    marketplace_account_id  VARCHAR(128) NOT NULL,
    organization_id         VARCHAR(128) NOT NULL,
    linked_at               TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (product_code, marketplace, marketplace_account_id),
    UNIQUE (product_code, organization_id)
);

-- What the vendor must do once a closed subscription's switch grace period ends without a new binding (R12-R15).
CREATE TABLE pending_close_action (
    organization_id   VARCHAR(128) PRIMARY KEY,
    subscription_id   VARCHAR(512) NOT NULL,
    product_code      VARCHAR(128) NOT NULL,
    action            VARCHAR(32)  NOT NULL,
    due_at            TIMESTAMPTZ  NOT NULL,
    created_at        TIMESTAMPTZ  NOT NULL
);
CREATE INDEX pending_close_action_due ON pending_close_action (due_at);

-- Every binding decision: who, what, when, outcome.
CREATE TABLE binding_audit (
    audit_id         BIGSERIAL    PRIMARY KEY,
    at               TIMESTAMPTZ  NOT NULL,
    actor            VARCHAR(128) NOT NULL,
    action           VARCHAR(32)  NOT NULL,
    subscription_id  VARCHAR(512),
    organization_id  VARCHAR(128),
    outcome          VARCHAR(16)  NOT NULL,
    reason           VARCHAR(64),
    detail           VARCHAR(1024)
);
CREATE INDEX binding_audit_subscription ON binding_audit (subscription_id, at);
CREATE INDEX binding_audit_organization ON binding_audit (organization_id, at);

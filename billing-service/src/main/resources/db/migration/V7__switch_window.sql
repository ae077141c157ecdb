-- The switch window (R15): from a subscription's close until another subscription is bound to the organization within
-- the switch grace period (binding-service names the closed one as its previousSubscriptionId), or until the close
-- action ends the grace. Usage of the organization in it is held, then charged to the new subscription or handed to
-- the vendor's billing.
CREATE TABLE switch_window (
    organization_id         VARCHAR(200) NOT NULL,
    closed_subscription_id  VARCHAR(512) NOT NULL,
    -- the close (null until SubscriptionUnbound is read: the new binding may be read first, from its own partition)
    opened_at               TIMESTAMPTZ,
    resolved_at             TIMESTAMPTZ,
    -- the subscription bound within the grace period; null when the close action ended the window
    switched_to             VARCHAR(512),
    PRIMARY KEY (organization_id, closed_subscription_id)
);

-- Held usage, per subject, dimension and hour of the window: HELD until the window is resolved, then CHARGED (moved to
-- the new subscription's first open hour, at charged_at) or HANDED_OFF (UsageForVendorBilling, reason SWITCH_WINDOW).
CREATE TABLE switch_window_usage (
    subject                  VARCHAR(520) NOT NULL,
    dimension                VARCHAR(64)  NOT NULL,
    hour_start               TIMESTAMPTZ  NOT NULL,
    closed_subscription_id   VARCHAR(512) NOT NULL,
    quantity_micros          BIGINT       NOT NULL,
    state                    VARCHAR(16)  NOT NULL CHECK (state IN ('HELD', 'CHARGED', 'HANDED_OFF')),
    held_at                  TIMESTAMPTZ  NOT NULL,
    charged_subscription_id  VARCHAR(512),
    charged_at               TIMESTAMPTZ,
    PRIMARY KEY (subject, dimension, hour_start, closed_subscription_id)
);
CREATE INDEX switch_window_usage_held ON switch_window_usage (state) WHERE state = 'HELD';
CREATE INDEX switch_window_usage_charged ON switch_window_usage (charged_at) WHERE state = 'CHARGED';

ALTER TABLE hour_attribution DROP CONSTRAINT hour_attribution_outcome_check;
ALTER TABLE hour_attribution ADD CONSTRAINT hour_attribution_outcome_check
    CHECK (outcome IN ('BILLED', 'NOT_CHARGEABLE', 'VENDOR_BILLING', 'SWITCH_WINDOW'));

-- How each organization pays, as the fold of its binding.v1 events (OrganizationBilling in event-contracts), the
-- same fold binding-service's organization record is: the overview names the state the record names.
CREATE TABLE organization_billing (
    organization_id             VARCHAR(200) PRIMARY KEY,
    channel                     VARCHAR(16)  NOT NULL CHECK (channel IN ('VENDOR', 'MARKETPLACE', 'NONE')),
    marketplace                 VARCHAR(16),
    marketplace_account_id      VARCHAR(200),
    subscription_id             VARCHAR(512),
    frozen                      BOOLEAN      NOT NULL,
    deployments_stopped         BOOLEAN      NOT NULL,
    deployments_delete_at       TIMESTAMPTZ,
    last_bound_subscription_id  VARCHAR(512),
    last_bound_at               TIMESTAMPTZ,
    updated_at                  TIMESTAMPTZ  NOT NULL
);

-- what the binding periods already say: who is bound now; an organization whose last subscription was unbound
-- before this shows NONE until its next binding event (whether it fell back to the vendor's billing or was
-- frozen was not kept here)
INSERT INTO organization_billing (organization_id, channel, marketplace, marketplace_account_id, subscription_id,
    frozen, deployments_stopped, last_bound_subscription_id, last_bound_at, updated_at)
SELECT b.organization_id, CASE WHEN b.unbound_at IS NULL THEN 'MARKETPLACE' ELSE 'NONE' END,
    CASE WHEN b.unbound_at IS NULL THEN s.marketplace END,
    CASE WHEN b.unbound_at IS NULL THEN s.marketplace_account_id END,
    CASE WHEN b.unbound_at IS NULL THEN b.subscription_id END,
    FALSE, FALSE, b.subscription_id, b.bound_at, now()
FROM (SELECT DISTINCT ON (organization_id) * FROM binding_period ORDER BY organization_id, bound_at DESC) b
LEFT JOIN metered_subscription s ON s.subscription_id = b.subscription_id;

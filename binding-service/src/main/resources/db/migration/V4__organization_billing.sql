-- How each organization pays, as the fold of the binding.v1 events binding-service emitted about it
-- (OrganizationBilling in event-contracts): billing-service's overview folds the same events, so the two agree.
-- billing_account ('aliyun:<account>') becomes the marketplace and the account apart.
ALTER TABLE organization
    ADD COLUMN billing_marketplace         VARCHAR(16),
    ADD COLUMN billing_account_id          VARCHAR(128),
    ADD COLUMN billing_subscription_id     VARCHAR(512),
    ADD COLUMN deployments_stopped         BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN deployments_delete_at       TIMESTAMPTZ,
    ADD COLUMN last_bound_subscription_id  VARCHAR(512),
    ADD COLUMN last_bound_at               TIMESTAMPTZ;

UPDATE organization SET billing_marketplace = split_part(billing_account, ':', 1),
    billing_account_id = substr(billing_account, strpos(billing_account, ':') + 1)
WHERE billing_account IS NOT NULL;
ALTER TABLE organization DROP COLUMN billing_account;

UPDATE organization o SET last_bound_subscription_id = b.subscription_id, last_bound_at = b.bound_at,
    billing_subscription_id = CASE WHEN b.unbound_at IS NULL THEN b.subscription_id END
FROM (SELECT DISTINCT ON (organization_id) organization_id, subscription_id, bound_at, unbound_at FROM binding
      ORDER BY organization_id, bound_at DESC, binding_id DESC) b
WHERE b.organization_id = o.organization_id;

-- before this, a closed subscription's organization still said MARKETPLACE until its close action ran
UPDATE organization SET billing_channel = 'NONE', billing_marketplace = NULL, billing_account_id = NULL
WHERE billing_channel = 'MARKETPLACE' AND billing_subscription_id IS NULL;

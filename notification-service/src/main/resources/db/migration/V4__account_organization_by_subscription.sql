-- "This account paid for an organization before" must not depend on the order the topics are read in: after an
-- outage a subscription's own SubscriptionBound (binding.v1) can be read before its SubscriptionOpened
-- (marketplace.subscriptions.v1). So each binding is kept with its subscription and time, and a new subscription's
-- buyers are the admins of organizations other subscriptions of the account were bound to before it opened.
-- Rows from before this migration have neither: they count as bindings of another subscription, long ago.
-- The binding's product also brands the mails of binding.v1's later events for the subscription (frozen, deployments
-- stopping, ...): SubscriptionBound comes first on that topic, while SubscriptionOpened may not have been read yet.
ALTER TABLE account_organization ADD COLUMN subscription_id VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE account_organization ADD COLUMN bound_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch';
ALTER TABLE account_organization ADD COLUMN product_code VARCHAR(100);
ALTER TABLE account_organization ALTER COLUMN subscription_id DROP DEFAULT;
ALTER TABLE account_organization ALTER COLUMN bound_at DROP DEFAULT;
ALTER TABLE account_organization DROP CONSTRAINT account_organization_pkey;
ALTER TABLE account_organization ADD PRIMARY KEY (marketplace_account_id, organization_id, subscription_id);
CREATE INDEX account_organization_subscription ON account_organization (subscription_id);

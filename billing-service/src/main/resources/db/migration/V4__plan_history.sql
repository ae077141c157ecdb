-- Which SKU and extra billable items (额外计费项) a subscription had from when, and whether it was a trial: an
-- upgrade or downgrade prices the minutes after it at the new SKU and the minutes before at the old one, and the
-- end of a trial charges the minutes after it.
CREATE TABLE plan_change (
    seq              BIGSERIAL PRIMARY KEY,
    subscription_id  VARCHAR(512) NOT NULL REFERENCES metered_subscription (subscription_id),
    sku_id           VARCHAR(128),
    billable_items   TEXT         NOT NULL DEFAULT '{}',
    trial            BOOLEAN      NOT NULL DEFAULT FALSE,
    changed_at       TIMESTAMPTZ  NOT NULL
);
CREATE INDEX plan_change_subscription ON plan_change (subscription_id, changed_at);
-- the plan every subscription has now, from when it opened (the history before this migration was not kept)
INSERT INTO plan_change (subscription_id, sku_id, trial, changed_at)
    SELECT subscription_id, sku_id, trial, COALESCE(opened_at, changed_at) FROM metered_subscription;
-- an hour priced at two SKUs names both price versions
ALTER TABLE rated_hour ALTER COLUMN price_version TYPE VARCHAR(400);

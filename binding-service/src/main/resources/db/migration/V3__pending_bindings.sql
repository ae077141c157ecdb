-- When binding-service recorded each subscription, so that the pending ones (open, not yet bound) can be listed
-- in the order they became visible here (a cursor for consoles and for the visibility benchmark).
ALTER TABLE bindable_subscription ADD COLUMN recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp();
CREATE INDEX bindable_subscription_recorded ON bindable_subscription (recorded_at);

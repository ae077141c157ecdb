-- When a renewal last unfroze the subscription (cleared by the next freeze or close): a refund of that renewal
-- (refundRenewInstance) whose expiry has passed freezes it again.
ALTER TABLE subscription ADD COLUMN unfrozen_by_renewal_at TIMESTAMPTZ;

-- The expiry the last renewal moved the subscription to (cleared by a refund of a renewal or a close): until then an
-- expiredInstance is a replay, not an expiry (docs/security.md).
ALTER TABLE subscription ADD COLUMN renewed_until TIMESTAMPTZ;

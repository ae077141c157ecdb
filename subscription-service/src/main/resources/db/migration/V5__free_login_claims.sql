-- Alibaba free-login links already used, by every gateway replica: the SHA-256 of the lower-cased token (the token
-- is a credential while its link is fresh, so it is not stored), until the link would be stale anyway.
CREATE TABLE free_login_claim (
    token_sha256  CHAR(64)     PRIMARY KEY,
    claimed_at    TIMESTAMPTZ  NOT NULL,
    expires_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX free_login_claim_expiry ON free_login_claim (expires_at);

package io.marketbill.subscription.freelogin;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Alibaba free-login links used so far, for every gateway replica at once: a link is accepted once, on whichever
 * replica it lands (https://help.aliyun.com/document_detail/147370.html leaves replay protection to the ISV). The
 * gateway keeps no data, so the record lives here, in PostgreSQL; the primary key makes the claim atomic.
 */
@Service
class FreeLoginClaims {

    private final JdbcClient jdbc;

    FreeLoginClaims(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** True for the first claim of the key, false for any later one until {@code expiresAt}. */
    @Transactional
    boolean claim(String tokenSha256, Instant expiresAt, Instant now) {
        // links past their freshness window are refused by the gateway anyway: their claims can go
        jdbc.sql("DELETE FROM free_login_claim WHERE expires_at < :now").param("now", Timestamp.from(now)).update();
        return jdbc.sql("""
                INSERT INTO free_login_claim (token_sha256, claimed_at, expires_at) VALUES (:key, :now, :expiresAt)
                ON CONFLICT (token_sha256) DO NOTHING""")
                .param("key", tokenSha256).param("now", Timestamp.from(now))
                .param("expiresAt", Timestamp.from(expiresAt))
                .update() == 1;
    }
}

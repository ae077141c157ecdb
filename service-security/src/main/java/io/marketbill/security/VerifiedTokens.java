package io.marketbill.security;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Remembers tokens that passed every check until they expire, so that a client's repeated calls cost one RSA
 * verification, not one per call (about a millisecond of CPU each on a small machine). Bounded: when full it starts
 * over. A refused token is never remembered.
 */
public final class VerifiedTokens implements JwtDecoder {

    static final int MAX_ENTRIES = 10_000;

    private final JwtDecoder delegate;
    private final Clock clock;
    private final Map<String, Jwt> verified = new ConcurrentHashMap<>();

    public VerifiedTokens(JwtDecoder delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public Jwt decode(String token) {
        Jwt known = verified.get(token);
        if (known != null) {
            if (known.getExpiresAt() != null && clock.instant().isBefore(known.getExpiresAt())) {
                return known;
            }
            verified.remove(token);
        }
        Jwt jwt = delegate.decode(token);
        if (jwt.getExpiresAt() != null) {
            if (verified.size() >= MAX_ENTRIES) {
                verified.clear();
            }
            verified.put(token, jwt);
        }
        return jwt;
    }
}

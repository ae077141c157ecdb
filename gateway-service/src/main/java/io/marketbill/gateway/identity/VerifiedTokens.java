package io.marketbill.gateway.identity;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Remembers tokens that passed every check until they expire, so that a client's repeated calls cost one RSA
 * verification, not one per call (a verification costs about a millisecond of CPU on a small machine). Bounded:
 * when full it starts over. A refused token is never remembered.
 */
final class VerifiedTokens implements ReactiveJwtDecoder {

    static final int MAX_ENTRIES = 10_000;

    private final ReactiveJwtDecoder delegate;
    private final Clock clock;
    private final Map<String, Jwt> verified = new ConcurrentHashMap<>();

    VerifiedTokens(ReactiveJwtDecoder delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public Mono<Jwt> decode(String token) {
        Jwt known = verified.get(token);
        if (known != null) {
            if (known.getExpiresAt() != null && clock.instant().isBefore(known.getExpiresAt())) {
                return Mono.just(known);
            }
            verified.remove(token);
        }
        return delegate.decode(token).doOnNext(jwt -> {
            if (jwt.getExpiresAt() != null) {
                if (verified.size() >= MAX_ENTRIES) {
                    verified.clear();
                }
                verified.put(token, jwt);
            }
        });
    }
}

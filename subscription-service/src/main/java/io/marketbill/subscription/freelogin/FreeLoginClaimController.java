package io.marketbill.subscription.freelogin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /internal/free-login-claims}: the gateway claims a free-login link before it honours it; 201 the first
 * time, 409 {@code already_claimed} after. Under {@code /internal}, which the gateway does not route from outside.
 */
@RestController
class FreeLoginClaimController {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** A claim outlives its link's freshness window (minutes); anything much longer is a mistake, not a link. */
    private static final Duration LONGEST = Duration.ofDays(1);

    /** The SHA-256 (lowercase hex) of the link's lower-cased token, and until when the link could be used. */
    record Claim(String tokenSha256, Instant expiresAt) {
    }

    private final FreeLoginClaims claims;
    private final Clock clock;

    FreeLoginClaimController(FreeLoginClaims claims, Clock clock) {
        this.claims = claims;
        this.clock = clock;
    }

    @PostMapping("/internal/free-login-claims")
    ResponseEntity<?> claim(@RequestBody Claim body) {
        Instant now = clock.instant();
        if (body.tokenSha256() == null || !SHA256_HEX.matcher(body.tokenSha256()).matches()) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_request",
                    "message", "tokenSha256 must be 64 lowercase hex digits"));
        }
        if (body.expiresAt() == null || body.expiresAt().isAfter(now.plus(LONGEST))) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_request",
                    "message", "expiresAt is required and at most a day ahead"));
        }
        if (!claims.claim(body.tokenSha256(), body.expiresAt(), now)) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "already_claimed",
                    "message", "this free-login link was already used"));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("claimed", true));
    }
}

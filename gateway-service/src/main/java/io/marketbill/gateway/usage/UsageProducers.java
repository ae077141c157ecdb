package io.marketbill.gateway.usage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The configured usage producers, found by API key. Only the keys' SHA-256 is configured; a presented key is
 * hashed and compared with every producer's hash in constant time, so neither the comparison nor the loop
 * (which never stops early) tells how close a guess was.
 */
@Component
class UsageProducers implements ReactiveAuthenticationManager {

    static final String ROLE = "ROLE_USAGE_PRODUCER";

    /** An authenticated producer: the principal of {@code /api/usage} calls. */
    record Producer(String name, byte[] keyHash, List<String> sources) {

        boolean mayUse(String source) {
            return source != null && sources.stream().anyMatch(source::startsWith);
        }

        @Override
        public String toString() {
            return "Producer[" + name + "]";
        }
    }

    private final List<Producer> producers;

    UsageProducers(UsageProperties props) {
        this.producers = props.producers().stream()
                .map(p -> new Producer(p.name(), HexFormat.of().parseHex(p.keySha256().strip().toLowerCase(java.util.Locale.ROOT)),
                        List.copyOf(p.sources())))
                .toList();
    }

    Optional<Producer> find(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(key);
        Producer match = null;
        for (Producer p : producers) {
            if (MessageDigest.isEqual(p.keyHash(), hash)) {
                match = p;
            }
        }
        return Optional.ofNullable(match);
    }

    /** The presented key (credentials) becomes its producer (principal); an unknown key is a bad credential. */
    @Override
    public Mono<Authentication> authenticate(Authentication presented) {
        Object key = presented.getCredentials();
        return Mono.justOrEmpty(find(key instanceof String s ? s : null))
                .<Authentication>map(p -> new PreAuthenticatedAuthenticationToken(p, null,
                        AuthorityUtils.createAuthorityList(ROLE)))
                .switchIfEmpty(Mono.error(() -> new BadCredentialsException("the API key is not known")));
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

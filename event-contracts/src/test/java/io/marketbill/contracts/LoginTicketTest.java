package io.marketbill.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class LoginTicketTest {

    static final byte[] SECRET = "a-ticket-secret-of-enough-length".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");

    @Property
    void aSignedTicketVerifiesUntilItExpires(@ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 40) String id,
                                             @ForAll @IntRange(min = 1, max = 600) int ttl) {
        LoginTicket t = new LoginTicket("aliyun:" + id, "1880", NOW.plusSeconds(ttl));
        String signed = t.sign(SECRET);
        assertThat(LoginTicket.verify(signed, SECRET, NOW)).contains(t);
        assertThat(LoginTicket.verify(signed, SECRET, NOW.plusSeconds(ttl))).isEmpty();
    }

    @Property
    void anyChangedCharacterIsRefused(@ForAll @IntRange(min = 0, max = 200) int position) {
        String signed = new LoginTicket("aliyun:OB-1", "", NOW.plusSeconds(300)).sign(SECRET);
        int i = position % signed.length();
        char c = signed.charAt(i) == 'A' ? 'B' : 'A';
        String tampered = signed.substring(0, i) + c + signed.substring(i + 1);
        assertThat(LoginTicket.verify(tampered, SECRET, NOW)).isEmpty();
    }

    @Test
    void anotherSecretOrGarbageIsRefused() {
        String signed = new LoginTicket("aliyun:OB-1", "", NOW.plusSeconds(300)).sign(SECRET);
        assertThat(LoginTicket.verify(signed, "other".getBytes(StandardCharsets.UTF_8), NOW)).isEmpty();
        assertThat(LoginTicket.verify("not-a-ticket", SECRET, NOW)).isEmpty();
        assertThat(LoginTicket.verify("a.b.c", SECRET, NOW)).isEmpty();
        assertThat(LoginTicket.verify(null, SECRET, NOW)).isEmpty();
    }
}

package io.marketbill.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NotBlank;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class FrontEndLinkTest {

    static final byte[] SECRET = LoginTicketTest.SECRET;
    static final Instant NOW = LoginTicketTest.NOW;

    @Property
    void anyInstanceRoundTripsAndNoOtherInstanceOrChangedSignatureDoes(
            @ForAll @NotBlank @StringLength(max = 200) String instanceId,
            @ForAll @NotBlank @StringLength(max = 200) String other,
            @ForAll @IntRange(min = 0, max = 42) int position) {
        String sig = FrontEndLink.sign(instanceId, SECRET);
        assertThat(sig).matches("[A-Za-z0-9_-]{43}");
        assertThat(FrontEndLink.verify(instanceId, sig, SECRET)).isTrue();
        assertThat(FrontEndLink.verify(instanceId, sig, "another-secret-of-enough-length".getBytes(
                StandardCharsets.UTF_8))).isFalse();

        Assume.that(!other.equals(instanceId));
        assertThat(FrontEndLink.verify(other, sig, SECRET)).as("another instance's link").isFalse();

        char c = sig.charAt(position) == 'A' ? 'B' : 'A';
        String flipped = sig.substring(0, position) + c + sig.substring(position + 1);
        assertThat(FrontEndLink.verify(instanceId, flipped, SECRET)).as("a changed signature").isFalse();
    }

    /**
     * Both sign with the one secret: a login ticket's signature over a text is not the link's for that text, and a
     * link's signature over a ticket's payload makes no ticket.
     */
    @Property
    void aLoginTicketsSignatureIsNoFrontEndLinkAndTheOtherWayRound(
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 40) String instanceId) {
        String ticket = new LoginTicket(SubscriptionIds.aliyun(instanceId), "", NOW.plusSeconds(300)).sign(SECRET);
        String payloadPart = ticket.substring(0, ticket.indexOf('.'));
        String ticketMac = ticket.substring(ticket.indexOf('.') + 1);
        String signedText = new String(Base64.getUrlDecoder().decode(payloadPart), StandardCharsets.UTF_8);

        assertThat(FrontEndLink.verify(signedText, ticketMac, SECRET)).as("the ticket's mac for its own text").isFalse();
        assertThat(FrontEndLink.verify(instanceId, ticketMac, SECRET)).isFalse();
        assertThat(FrontEndLink.verify(SubscriptionIds.aliyun(instanceId), ticketMac, SECRET)).isFalse();

        String forged = payloadPart + "." + FrontEndLink.sign(signedText, SECRET);
        assertThat(LoginTicket.verify(forged, SECRET, NOW)).as("a link's signature on a ticket's payload").isEmpty();
        assertThat(LoginTicket.verify(ticket, SECRET, NOW)).isPresent();
    }

    @Test
    void aSignatureWithoutTheLabelOrInAnotherSpellingOrNoneIsRefused() {
        String bare = Base64.getUrlEncoder().withoutPadding().encodeToString(Hmac.sha256(SECRET, "OB-1"));
        assertThat(FrontEndLink.verify("OB-1", bare, SECRET)).as("HMAC of the bare instance id").isFalse();

        String sig = FrontEndLink.sign("OB-1", SECRET);
        assertThat(FrontEndLink.verify("OB-1", sig + "=", SECRET)).as("padded").isFalse();
        String standard = Base64.getEncoder().withoutPadding().encodeToString(
                Base64.getUrlDecoder().decode(sig));
        if (!standard.equals(sig)) {
            assertThat(FrontEndLink.verify("OB-1", standard, SECRET)).as("plain base64").isFalse();
        }
        assertThat(FrontEndLink.verify("OB-1", null, SECRET)).isFalse();
        assertThat(FrontEndLink.verify("OB-1", "", SECRET)).isFalse();
        assertThat(FrontEndLink.verify(null, sig, SECRET)).isFalse();
        assertThat(FrontEndLink.verify("", sig, SECRET)).isFalse();
        assertThatThrownBy(() -> FrontEndLink.sign(" ", SECRET)).isInstanceOf(IllegalArgumentException.class);
    }
}

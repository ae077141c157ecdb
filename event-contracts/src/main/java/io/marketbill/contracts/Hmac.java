package io.marketbill.contracts;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one copy of the signing plumbing behind {@link LoginTicket} and {@link FrontEndLink}: HMAC-SHA256, base64url
 * without padding, constant-time comparison. Both sign with the same secret ({@code LOGIN_TICKET_SECRET}), so each
 * signs a text of its own shape (a ticket's payload starts {@code v1|}, a link's text with its purpose label): no
 * signature of one is ever a signature of the other.
 */
final class Hmac {

    static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

    private Hmac() {
    }

    static byte[] sha256(byte[] secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static byte[] sha256(byte[] secret, String text) {
        return sha256(secret, text.getBytes(StandardCharsets.UTF_8));
    }

    /** In time that does not depend on where the two differ: a forger learns nothing from how long a refusal took. */
    static boolean same(byte[] expected, byte[] given) {
        return MessageDigest.isEqual(expected, given);
    }
}

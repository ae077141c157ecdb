package io.marketbill.contracts;

import java.nio.charset.StandardCharsets;

/**
 * The signature of an Alibaba instance's front-end URL (前台地址). The marketplace stores that URL once, at
 * createInstance, and shows it to the buyer for the life of the instance, so unlike a {@link LoginTicket} it cannot
 * expire: it only says "this link was made by the gateway for this instance". It proves nothing about who holds it,
 * so what it opens must neither bind nor tell anything about other instances. The gateway signs, binding-service
 * verifies, with the login tickets' secret ({@code LOGIN_TICKET_SECRET}); the signed text starts with a purpose label
 * of its own ({@value #PURPOSE}), so a login ticket's signature is never a link's, nor the other way round.
 * The signature is base64url of HMAC-SHA256, without padding.
 */
public final class FrontEndLink {

    /** Says what the signature is for; a new meaning gets a new label. */
    static final String PURPOSE = "marketbill front-end link v1\n";

    /** base64url of 32 bytes without padding */
    private static final int SIGNATURE_LENGTH = 43;

    private FrontEndLink() {
    }

    public static String sign(String instanceId, byte[] secret) {
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("a front-end link needs an instance id");
        }
        return Hmac.BASE64URL.encodeToString(Hmac.sha256(secret, PURPOSE + instanceId));
    }

    /** The signature is the gateway's for exactly this instance. */
    public static boolean verify(String instanceId, String sig, byte[] secret) {
        if (instanceId == null || instanceId.isBlank() || sig == null || sig.length() != SIGNATURE_LENGTH) {
            return false;
        }
        // compared as text: only the canonical spelling of the signature is accepted
        return Hmac.same(sign(instanceId, secret).getBytes(StandardCharsets.US_ASCII),
                sig.getBytes(StandardCharsets.UTF_8));
    }
}

package io.marketbill.contracts;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The short-lived, signed ticket with which the gateway hands a buyer arriving from a marketplace (Alibaba
 * free login, AWS registration) to the binding page. Format: {@code base64url(payload).base64url(HMAC-SHA256)},
 * payload {@code v1|<subscriptionId>|<marketplaceAccountId>|<expiresAt epoch seconds>}. The gateway signs,
 * binding-service verifies, with the same secret ({@code LOGIN_TICKET_SECRET}).
 *
 * @param subscriptionId       the subscription the buyer came for
 * @param marketplaceAccountId the buyer's marketplace account, when known (AWS); empty otherwise
 * @param expiresAt            after this the ticket is refused
 */
public record LoginTicket(String subscriptionId, String marketplaceAccountId, Instant expiresAt) {

    private static final Base64.Encoder ENC = Hmac.BASE64URL;
    private static final Base64.Decoder DEC = Hmac.BASE64URL_DECODER;

    public LoginTicket {
        if (subscriptionId == null || subscriptionId.isBlank() || subscriptionId.contains("|")) {
            throw new IllegalArgumentException("a ticket needs a subscription id without '|'");
        }
        marketplaceAccountId = marketplaceAccountId == null ? "" : marketplaceAccountId;
        if (marketplaceAccountId.contains("|")) {
            throw new IllegalArgumentException("marketplace account id must not contain '|'");
        }
    }

    public String sign(byte[] secret) {
        String payload = "v1|" + subscriptionId + "|" + marketplaceAccountId + "|" + expiresAt.getEpochSecond();
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ENC.encodeToString(bytes) + "." + ENC.encodeToString(Hmac.sha256(secret, bytes));
    }

    /** The ticket, if the signature holds and it has not expired at {@code now}; empty otherwise. */
    public static Optional<LoginTicket> verify(String ticket, byte[] secret, Instant now) {
        if (ticket == null || ticket.length() > 2048) {
            return Optional.empty();
        }
        int dot = ticket.indexOf('.');
        if (dot <= 0 || dot != ticket.lastIndexOf('.')) {
            return Optional.empty();
        }
        try {
            byte[] payload = DEC.decode(ticket.substring(0, dot));
            byte[] mac = DEC.decode(ticket.substring(dot + 1));
            // only the canonical encoding: no second spelling of the same ticket
            if (!ENC.encodeToString(payload).equals(ticket.substring(0, dot))
                    || !ENC.encodeToString(mac).equals(ticket.substring(dot + 1))) {
                return Optional.empty();
            }
            if (!Hmac.same(Hmac.sha256(secret, payload), mac)) {
                return Optional.empty();
            }
            String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
            if (parts.length != 4 || !parts[0].equals("v1")) {
                return Optional.empty();
            }
            Instant expiresAt = Instant.ofEpochSecond(Long.parseLong(parts[3]));
            if (!now.isBefore(expiresAt)) {
                return Optional.empty();
            }
            return Optional.of(new LoginTicket(parts[1], parts[2], expiresAt));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

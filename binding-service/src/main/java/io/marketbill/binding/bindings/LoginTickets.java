package io.marketbill.binding.bindings;

import io.marketbill.contracts.FrontEndLink;
import io.marketbill.contracts.LoginTicket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Verifies the gateway's login tickets (free login, AWS registration) and the signatures of Alibaba instances'
 * front-end URLs ({@link FrontEndLink}), with the shared {@code LOGIN_TICKET_SECRET}.
 */
@Component
public class LoginTickets {

    private final byte[] secret;
    private final Clock clock;

    LoginTickets(@Value("${marketbill.login-ticket.secret:}") String secret, Clock clock) {
        if (secret.length() < 16) {
            throw new IllegalStateException("marketbill.login-ticket.secret (env LOGIN_TICKET_SECRET) is required, "
                    + "at least 16 characters, the same as the gateway's");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    public Optional<LoginTicket> verify(String ticket) {
        return LoginTicket.verify(ticket, secret, clock.instant());
    }

    /** The gateway signed this front-end URL for exactly this instance (such a link never expires). */
    public boolean verifyFrontEndLink(String instanceId, String sig) {
        return FrontEndLink.verify(instanceId, sig, secret);
    }

    @Override
    public String toString() {
        return "LoginTickets[secret=<hidden>]";
    }
}

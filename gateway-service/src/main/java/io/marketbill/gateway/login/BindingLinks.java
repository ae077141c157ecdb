package io.marketbill.gateway.login;

import io.marketbill.contracts.FrontEndLink;
import io.marketbill.contracts.LoginTicket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Issues the signed tickets that take a buyer from a marketplace to the binding page, and signs the front-end URLs
 * of Alibaba instances ({@link FrontEndLink}), with the one secret binding-service verifies both with.
 */
@Component
public class BindingLinks {

    private final byte[] secret;
    private final Duration ttl;
    private final String bindingPageUrl;
    private final Clock clock = Clock.systemUTC();

    BindingLinks(@Value("${marketbill.login-ticket.secret:}") String secret,
                 @Value("${marketbill.login-ticket.ttl:5m}") Duration ttl,
                 @Value("${marketbill.binding-page-url:${marketbill.public-base-url}/binding}") String bindingPageUrl) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalStateException("marketbill.login-ticket.secret (env LOGIN_TICKET_SECRET) is required, "
                    + "at least 16 characters: it signs the tickets binding-service accepts");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.ttl = ttl;
        this.bindingPageUrl = bindingPageUrl;
    }

    /** The binding page's address with a fresh ticket for this subscription. */
    public String bindingPageFor(String subscriptionId, String marketplaceAccountId) {
        String ticket = new LoginTicket(subscriptionId, marketplaceAccountId, clock.instant().plus(ttl)).sign(secret);
        return UriComponentsBuilder.fromUriString(bindingPageUrl).queryParam("ticket", ticket).build().toUriString();
    }

    /**
     * The signature of the instance's front-end URL: it never expires, since the marketplace keeps the URL it got at
     * createInstance for the life of the instance.
     */
    public String frontEndLinkSignature(String instanceId) {
        return FrontEndLink.sign(instanceId, secret);
    }

    @Override
    public String toString() {
        return "BindingLinks[ttl=" + ttl + ", bindingPageUrl=" + bindingPageUrl + ", secret=<hidden>]";
    }
}

package io.marketbill.binding.page;

import io.marketbill.binding.bindings.Bindings;
import io.marketbill.binding.bindings.Bindings.Choice;
import io.marketbill.binding.bindings.Bindings.Decision;
import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.binding.bindings.LoginTickets;
import io.marketbill.binding.bindings.Refusal;
import io.marketbill.binding.security.SignIn;
import io.marketbill.contracts.LoginTicket;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The binding page, server-rendered and usable without JavaScript, in zh-CN (default) and en.
 * <ol>
 * <li>{@code GET /binding?ticket=...}: the gateway's redirect from free login or AWS registration. The ticket is
 * checked and kept in a cookie.</li>
 * <li>Without a signed-in user, the browser goes to the vendor's identity provider, which posts an ID token back to
 * {@code POST /binding/login} (OIDC form_post); it must be this sign-in's ID token ({@link SignIn}: state, nonce,
 * this client, no access token) and is kept in a cookie.</li>
 * <li>{@code GET /binding}: the user's organizations, which can be bound and why the others cannot (R6, R7).</li>
 * <li>{@code POST /binding/confirm}: binds, with a form token derived from both cookies (no cross-site posts).</li>
 * </ol>
 * Nothing is kept on the server between requests, so any replica can serve any step.
 */
@Controller
class BindingPage {

    /** How often the page looks again for a subscription still on its way from the marketplace. */
    static final int UNKNOWN_SUBSCRIPTION_REFRESH_SECONDS = 3;
    /**
     * How often the page looks again for the organization of a user who just registered: the vendor's platform creates
     * it and announces it on directory.v1, which takes a while after the sign-up.
     */
    static final int ORGANIZATION_CREATING_REFRESH_SECONDS = 5;

    static final String TICKET_COOKIE = "mb_ticket";
    static final String USER_COOKIE = "mb_user";
    static final String STATE_COOKIE = "mb_state";
    /** The page's sign-in: its state and nonce in {@link #STATE_COOKIE}, for the page's path. */
    static final SignIn.Flow SIGN_IN = new SignIn.Flow(STATE_COOKIE, "/binding");
    /** The refusal of a sign-in that is not verified, whatever the reason (which is logged, not shown). */
    static final String SIGN_IN_FAILED = "sign_in_failed";

    private final Bindings bindings;
    private final LoginTickets tickets;
    private final SignIn signIns;
    private final PageCookies cookies;
    private final String publicUrl;
    private final Clock clock;

    BindingPage(Bindings bindings, LoginTickets tickets, SignIn signIns, PageCookies cookies,
                @Value("${marketbill.binding.public-url}") String publicUrl, Clock clock) {
        this.bindings = bindings;
        this.tickets = tickets;
        this.signIns = signIns;
        this.cookies = cookies;
        this.publicUrl = publicUrl.replaceAll("/+$", "");
        this.clock = clock;
    }

    @GetMapping("/binding")
    String page(@RequestParam(required = false) String ticket, @RequestParam(required = false) String lang,
                HttpServletRequest request, HttpServletResponse response, Model model) {
        Locale locale = cookies.locale(lang, request, response);
        model.addAttribute("lang", locale.toLanguageTag());
        if (ticket != null) {
            Optional<LoginTicket> verified = tickets.verify(ticket);
            if (verified.isEmpty()) {
                return problem(model, response, Refusal.INVALID_TICKET);
            }
            cookies.set(response, TICKET_COOKIE, ticket,
                    Duration.between(clock.instant(), verified.get().expiresAt()));
            return "redirect:/binding";
        }
        Optional<LoginTicket> t = cookies.get(request, TICKET_COOKIE).flatMap(tickets::verify);
        if (t.isEmpty()) {
            return problem(model, response, Refusal.INVALID_TICKET);
        }
        Optional<String> console = bindings.consoleOfBound(t.get().subscriptionId());
        if (console.isPresent()) {
            // R9: 免登 again for a bound subscription goes straight to the vendor's console
            return "redirect:" + console.get();
        }
        Optional<Jwt> user = signedInUser(request);
        if (user.isEmpty()) {
            return "redirect:" + signIn(request, response);
        }
        return render(model, response, user.get(), t.get(), cookies.get(request, TICKET_COOKIE).get(), null, null);
    }

    /** The identity provider's form_post: an ID token for the user who signed in. */
    @PostMapping("/binding/login")
    String login(@RequestParam(name = "id_token", required = false) String idToken,
                 @RequestParam(required = false) String state, HttpServletRequest request,
                 HttpServletResponse response, Model model) {
        Locale locale = cookies.locale(null, request, response);
        model.addAttribute("lang", locale.toLanguageTag());
        SignIn.Outcome signedIn = signIns.finish(request, response, SIGN_IN, cookies.secure(), idToken, state);
        if (!signedIn.signedIn()) {
            return problem(model, response, HttpStatus.FORBIDDEN, SIGN_IN_FAILED);
        }
        cookies.set(response, USER_COOKIE, idToken, Duration.between(clock.instant(), signedIn.user().getExpiresAt()));
        return "redirect:/binding";
    }

    @PostMapping("/binding/confirm")
    String confirm(@RequestParam(required = false) String organizationId,
                   @RequestParam(name = "form_token", required = false) String formToken,
                   HttpServletRequest request, HttpServletResponse response, Model model) {
        Locale locale = cookies.locale(null, request, response);
        model.addAttribute("lang", locale.toLanguageTag());
        Optional<String> ticketText = cookies.get(request, TICKET_COOKIE);
        Optional<LoginTicket> t = ticketText.flatMap(tickets::verify);
        Optional<String> userText = cookies.get(request, USER_COOKIE);
        Optional<Jwt> user = signedInUser(request);
        if (t.isEmpty()) {
            return problem(model, response, Refusal.INVALID_TICKET);
        }
        if (user.isEmpty()) {
            return "redirect:" + signIn(request, response);
        }
        if (formToken == null || !MessageDigest.isEqual(formToken.getBytes(StandardCharsets.UTF_8),
                formToken(ticketText.get(), userText.get()).getBytes(StandardCharsets.UTF_8))) {
            response.setStatus(HttpStatus.FORBIDDEN.value());
            return problem(model, response, Refusal.INVALID_TICKET);
        }
        if (organizationId == null || organizationId.isBlank()) {
            return render(model, response, user.get(), t.get(), ticketText.get(), null, null);
        }
        Decision d = bindings.bind(user.get().getSubject(), t.get().subscriptionId(), organizationId,
                Proof.LOGIN_TICKET, t.get().marketplaceAccountId());
        if (!d.bound()) {
            response.setStatus(d.refusal().status().value());
        }
        return render(model, response, user.get(), t.get(), ticketText.get(), d, organizationId);
    }

    private String render(Model model, HttpServletResponse response, Jwt user, LoginTicket ticket, String ticketText,
                          Decision decision, String chosen) {
        Choice choice = bindings.choices(user.getSubject(), ticket.subscriptionId());
        model.addAttribute("choice", choice);
        model.addAttribute("user", user.getClaimAsString("name") == null ? user.getSubject()
                : user.getClaimAsString("name"));
        model.addAttribute("decision", decision);
        model.addAttribute("chosen", chosen);
        model.addAttribute("chosenName", choice.options().stream()
                .filter(o -> o.organization().organizationId().equals(chosen)).findFirst()
                .map(o -> o.organization().organizationName()).orElse(chosen));
        model.addAttribute("productName", choice.product() == null ? null
                : choice.product().displayName(choice.subscription().productCode()));
        model.addAttribute("consoleUrl", choice.product() == null ? null : choice.product().consoleUrl());
        model.addAttribute("formToken", formToken(ticketText, user.getTokenValue()));
        if (choice.refusal() == Refusal.SUBSCRIPTION_UNKNOWN) {
            // free login can come back before this service has read the subscription (seconds; minutes after an outage)
            response.setStatus(HttpStatus.ACCEPTED.value());
            response.setHeader("Retry-After", String.valueOf(UNKNOWN_SUBSCRIPTION_REFRESH_SECONDS));
            model.addAttribute("refreshSeconds", UNKNOWN_SUBSCRIPTION_REFRESH_SECONDS);
        } else if (choice.refusal() == Refusal.NO_ORGANIZATION && decision == null) {
            // a user who has just registered has no organization until the vendor's platform has made it: wait for
            // it here rather than send them off (their login ticket would be gone by the time they came back)
            response.setStatus(HttpStatus.ACCEPTED.value());
            response.setHeader("Retry-After", String.valueOf(ORGANIZATION_CREATING_REFRESH_SECONDS));
            model.addAttribute("refreshSeconds", ORGANIZATION_CREATING_REFRESH_SECONDS);
            model.addAttribute("organizationCreating", true);
        }
        return "binding";
    }

    /** Derived from both cookies, which another site cannot read: a forged form cannot carry it. */
    static String formToken(String ticketCookie, String userCookie) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((ticketCookie + "\n" + userCookie).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<Jwt> signedInUser(HttpServletRequest request) {
        return cookies.get(request, USER_COOKIE).flatMap(signIns::verify);
    }

    private String signIn(HttpServletRequest request, HttpServletResponse response) {
        String base = publicUrl.isEmpty() ? ServletUriComponentsBuilder.fromContextPath(request).toUriString() : publicUrl;
        return signIns.start(response, SIGN_IN, base + "/binding/login", cookies.secure());
    }

    private static String problem(Model model, HttpServletResponse response, Refusal refusal) {
        return problem(model, response, refusal.status(), refusal.code());
    }

    /** The problem page, worded from {@code refusal.<code>} and {@code refusal.<code>.next}. */
    private static String problem(Model model, HttpServletResponse response, HttpStatus status, String code) {
        response.setStatus(status.value());
        model.addAttribute("refusal", code);
        return "binding-problem";
    }
}

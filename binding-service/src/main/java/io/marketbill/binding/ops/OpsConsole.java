package io.marketbill.binding.ops;

import io.marketbill.binding.bindings.BindingAudit;
import io.marketbill.binding.bindings.Bindings;
import io.marketbill.binding.security.SignIn;
import io.marketbill.binding.subscriptions.BindableSubscriptions;
import io.marketbill.messaging.deadletter.DeadLetters;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The operators' console: server-rendered, usable without JavaScript, one table per section. Sign-in as on the
 * binding page: the vendor's identity provider posts an ID token to {@code /ops/signed-in} (OIDC form_post); it must
 * be this sign-in's ID token ({@link SignIn}: state, nonce, this client, no access token), must carry the
 * {@code operator} role, and is kept in an HttpOnly, SameSite=Lax cookie (path {@code /ops}) that is verified again
 * on every request. The other services are called with binding-service's own token ({@link OpsServices}), never
 * with this one.
 * Replay buttons post a form token derived from the cookie, which another site cannot read.
 */
@Controller
@RequestMapping("/ops")
class OpsConsole {

    static final String SESSION_COOKIE = "mb_ops";
    static final String STATE_COOKIE = "mb_ops_state";
    /** The console's sign-in: its state and nonce in {@link #STATE_COOKIE}, for the console's path. */
    static final SignIn.Flow SIGN_IN = new SignIn.Flow(STATE_COOKIE, "/ops");
    static final String BINDING = "binding-service";

    /** One section of a page: its tables, or why the service behind it could not be asked. */
    record Section(String id, String title, String unavailable, List<OpsTable> tables) {
        static Section of(String id, String title, OpsServices.Result r) {
            return r.ok() ? new Section(id, title, null, OpsTable.of(title, r.body()))
                    : new Section(id, title, r.problem(), List.of());
        }
    }

    private final SignIn signIns;
    private final OpsServices services;
    private final BindableSubscriptions subscriptions;
    private final Bindings bindings;
    private final BindingAudit audit;
    private final DeadLetters deadLetters;
    private final String publicUrl;
    private final boolean secure;
    private final Clock clock;

    OpsConsole(SignIn signIns, OpsServices services, BindableSubscriptions subscriptions, Bindings bindings,
               BindingAudit audit, DeadLetters deadLetters, @Value("${marketbill.binding.public-url}") String publicUrl,
               Clock clock) {
        this.signIns = signIns;
        this.services = services;
        this.subscriptions = subscriptions;
        this.bindings = bindings;
        this.audit = audit;
        this.deadLetters = deadLetters;
        this.publicUrl = publicUrl.replaceAll("/+$", "");
        this.secure = publicUrl.startsWith("https:");
        this.clock = clock;
    }

    @GetMapping({"", "/"})
    String overview(HttpServletRequest request, HttpServletResponse response, Model model) {
        String stop = guard(request, response, model);
        if (stop != null) {
            return stop;
        }
        model.addAttribute("overview", true);
        return page(model, "Ops console", List.of());
    }

    /** The overview's look-up form. */
    @GetMapping("/subscriptions")
    String lookUp(@RequestParam(required = false) String id) {
        return id == null || id.isBlank() ? "redirect:/ops"
                : "redirect:/ops/subscriptions/" + URLEncoder.encode(id.strip(), StandardCharsets.UTF_8);
    }

    @GetMapping("/subscriptions/{id}")
    String subscription(@PathVariable String id, HttpServletRequest request, HttpServletResponse response,
                        Model model) {
        String stop = guard(request, response, model);
        if (stop != null) {
            return stop;
        }
        OpsServices.Result remote = services.get(OpsServices.SUBSCRIPTION,
                "/api/subscriptions/" + URLEncoder.encode(id, StandardCharsets.UTF_8)).join();
        List<Section> sections = new ArrayList<>();
        sections.add(Section.of("subscription", "Subscription and history (subscription-service)", remote));
        sections.add(subscriptions.find(id)
                .map(s -> new Section("bindable", "As binding-service sees it", null,
                        OpsTable.of("As binding-service sees it", s)))
                .orElseGet(() -> new Section("bindable", "As binding-service sees it", null,
                        OpsTable.of("As binding-service sees it", Map.of("state", "not known to binding-service")))));
        sections.add(new Section("bindings", "Bindings", null,
                OpsTable.of("Bindings", bindings.historyOfSubscription(id))));
        sections.add(new Section("audit", "Binding audit", null,
                OpsTable.of("Binding audit", audit.find(id, null, null, 100))));
        return page(model, "Subscription " + id, sections);
    }

    @GetMapping("/metering")
    String metering(HttpServletRequest request, HttpServletResponse response, Model model) {
        return remotePage(request, response, model, "Metering", OpsServices.BILLING,
                new Remote("ledger-summary", "Ledger summary", "/api/billing/ledger/summary"),
                new Remote("ledger", "Ledger (latest 100)", "/api/billing/ledger?limit=100"),
                new Remote("reconciliation", "Reconciliation differences", "/api/billing/reconciliation"));
    }

    /**
     * An organization's balance: where every unit of its usage went, hour by hour (reported, pending, refused, not
     * chargeable, handed to the vendor's billing), and the money law of the subscriptions it was billed to.
     */
    @GetMapping("/balance")
    String balance(@RequestParam(required = false) String organizationId, HttpServletRequest request,
                   HttpServletResponse response, Model model) {
        if (organizationId == null || organizationId.isBlank()) {
            String stop = guard(request, response, model);
            if (stop != null) {
                return stop;
            }
            model.addAttribute("message", "Name an organization: /ops/balance?organizationId=...");
            return page(model, "Balance", List.of());
        }
        return remotePage(request, response, model, "Balance of " + organizationId, OpsServices.BILLING,
                new Remote("balance", "Where its usage went, and the money of what was billed",
                        "/api/billing/balance?organizationId="
                                + java.net.URLEncoder.encode(organizationId, java.nio.charset.StandardCharsets.UTF_8)));
    }

    @GetMapping("/mails")
    String mails(HttpServletRequest request, HttpServletResponse response, Model model) {
        return remotePage(request, response, model, "Mails", OpsServices.NOTIFICATION,
                new Remote("mail-summary", "Mails by state", "/api/notifications/mails/summary"),
                new Remote("mails", "Send log (latest 100)", "/api/notifications/mails?limit=100"));
    }

    /** A section read from another service's API. */
    private record Remote(String id, String title, String path) {
    }

    /** A page of sections from one service, asked all at once (with binding-service's own token). */
    private String remotePage(HttpServletRequest request, HttpServletResponse response, Model model, String title,
                              String service, Remote... remotes) {
        String stop = guard(request, response, model);
        if (stop != null) {
            return stop;
        }
        List<CompletableFuture<OpsServices.Result>> results = new ArrayList<>();
        for (Remote r : remotes) {
            results.add(services.get(service, r.path()));
        }
        List<Section> sections = new ArrayList<>();
        for (int k = 0; k < remotes.length; k++) {
            sections.add(Section.of(remotes[k].id(), remotes[k].title(), results.get(k).join()));
        }
        return page(model, title, sections);
    }

    @GetMapping("/dead-letters")
    String deadLetters(@RequestParam(required = false) String replayed, @RequestParam(required = false) String failed,
                       HttpServletRequest request, HttpServletResponse response, Model model) {
        String stop = guard(request, response, model);
        if (stop != null) {
            return stop;
        }
        String token = token(request);
        Map<String, CompletableFuture<OpsServices.Result>> remote = new LinkedHashMap<>();
        for (String service : services.names()) {
            remote.put(service, services.get(service, "/api/dead-letters"));
        }
        List<Section> sections = new ArrayList<>();
        sections.add(deadLetterSection(BINDING, new OpsServices.Result(deadLetters.list(true, 100), null)));
        remote.forEach((service, result) -> sections.add(deadLetterSection(service, result.join())));
        if (replayed != null) {
            model.addAttribute("message", "Replayed dead letter " + replayed + ".");
        } else if (failed != null) {
            model.addAttribute("message", "Could not replay dead letter " + failed + ".");
        }
        model.addAttribute("formToken", formToken(token));
        return page(model, "Dead letters (pending)", sections);
    }

    @PostMapping("/dead-letters/{service}/{id}/replay")
    String replay(@PathVariable String service, @PathVariable long id,
                  @RequestParam(name = "form_token", required = false) String formToken,
                  HttpServletRequest request, HttpServletResponse response, Model model) {
        String stop = guard(request, response, model);
        if (stop != null) {
            return stop;
        }
        if (formToken == null || !MessageDigest.isEqual(formToken.getBytes(StandardCharsets.UTF_8),
                formToken(token(request)).getBytes(StandardCharsets.UTF_8))) {
            return denied(response, model, "This form has expired or did not come from the ops console.");
        }
        boolean done;
        if (BINDING.equals(service)) {
            done = deadLetters.replay(id).isPresent();
        } else if (services.known(service)) {
            done = services.post(service, "/api/dead-letters/" + id + "/replay").join().ok();
        } else {
            done = false;
        }
        String which = URLEncoder.encode(service + "/" + id, StandardCharsets.UTF_8);
        return "redirect:/ops/dead-letters?" + (done ? "replayed=" : "failed=") + which;
    }

    /** The identity provider's form_post: an ID token for the operator who signed in. */
    @PostMapping("/signed-in")
    String signedIn(@RequestParam(name = "id_token", required = false) String idToken,
                    @RequestParam(required = false) String state, HttpServletRequest request,
                    HttpServletResponse response, Model model) {
        SignIn.Outcome signedIn = signIns.finish(request, response, SIGN_IN, secure, idToken, state);
        if (!signedIn.signedIn()) {
            return denied(response, model, "The sign-in could not be verified; open the ops console again.");
        }
        Jwt jwt = signedIn.user();
        if (!operator(jwt)) {
            return denied(response, model, "The ops console is for operators.");
        }
        setCookie(response, SESSION_COOKIE, idToken, Duration.between(clock.instant(), jwt.getExpiresAt()));
        return "redirect:/ops";
    }

    /** Null when an operator is signed in; else where to go (sign-in) or the refusal page. */
    private String guard(HttpServletRequest request, HttpServletResponse response, Model model) {
        Optional<Jwt> user = cookie(request, SESSION_COOKIE).flatMap(signIns::verify);
        if (user.isEmpty()) {
            return "redirect:" + signIn(request, response);
        }
        if (!operator(user.get())) {
            return denied(response, model, "The ops console is for operators.");
        }
        model.addAttribute("operator", user.get().getClaimAsString("name") == null ? user.get().getSubject()
                : user.get().getClaimAsString("name"));
        return null;
    }

    private static boolean operator(Jwt jwt) {
        List<String> roles = jwt.getClaimAsStringList("roles");
        return roles != null && roles.stream().anyMatch(r -> "operator".equals(r.toLowerCase(Locale.ROOT)));
    }

    private String signIn(HttpServletRequest request, HttpServletResponse response) {
        String base = publicUrl.isEmpty() ? ServletUriComponentsBuilder.fromContextPath(request).toUriString() : publicUrl;
        return signIns.start(response, SIGN_IN, base + "/ops/signed-in", secure);
    }

    private static String denied(HttpServletResponse response, Model model, String message) {
        response.setStatus(HttpStatus.FORBIDDEN.value());
        model.addAttribute("message", message);
        return page(model, "Not allowed", List.of());
    }

    private static String page(Model model, String title, List<Section> sections) {
        model.addAttribute("title", title);
        model.addAttribute("sections", sections);
        return "ops";
    }

    private String token(HttpServletRequest request) {
        return cookie(request, SESSION_COOKIE).orElseThrow();
    }

    /** Derived from the session cookie, which another site cannot read: a forged form cannot carry it. */
    static String formToken(String sessionCookie) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("ops-console\n" + sessionCookie).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Section deadLetterSection(String service, OpsServices.Result r) {
        String title = "Dead letters of " + service;
        if (!r.ok()) {
            return new Section("dead-letters-" + service, title, r.problem(), List.of());
        }
        return new Section("dead-letters-" + service, title, null, List.of(OpsTable.replayable(title, r.body(),
                m -> m.get("id") == null ? null : "/ops/dead-letters/" + service + "/" + m.get("id") + "/replay")));
    }

    private static Optional<String> cookie(HttpServletRequest request, String name) {
        Cookie[] all = request.getCookies();
        return all == null ? Optional.empty() : Arrays.stream(all).filter(c -> c.getName().equals(name))
                .map(Cookie::getValue).filter(v -> !v.isEmpty()).findFirst();
    }

    private void setCookie(HttpServletResponse response, String name, String value, Duration maxAge) {
        response.addHeader("Set-Cookie", ResponseCookie.from(name, value).httpOnly(true).secure(secure)
                .sameSite("Lax").path("/ops").maxAge(maxAge.isNegative() ? Duration.ZERO : maxAge).build()
                .toString());
    }
}

package io.marketbill.binding.page;

import io.marketbill.binding.bindings.AccountAndInstanceProof;
import io.marketbill.binding.bindings.Bindings;
import io.marketbill.binding.bindings.Bindings.Decision;
import io.marketbill.binding.bindings.Bindings.Option;
import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.binding.bindings.Refusal;
import io.marketbill.binding.directory.Directory;
import io.marketbill.binding.directory.Directory.Membership;
import io.marketbill.binding.security.SignIn;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Guance's billing center (费用中心, R8, R18): a signed-in buyer picks a workspace and types the Alibaba Cloud account
 * id (the main account's UID) and the 商品实例 ID; the workspace then pays through the marketplace. The form does what
 * {@code POST /api/bindings} does with an account and an instance id, in the same order ({@link AccountAndInstanceProof},
 * then {@link Bindings#bind} with {@link Proof#ACCOUNT_AND_INSTANCE_ID}), and answers on the page.
 * <ul>
 * <li>{@code GET /binding/billing-center[?instance=...]}: the form, the instance id filled in (the front-end address
 * page links here with it); without a signed-in user the identity provider's sign-in first, posted back to
 * {@code POST /binding/billing-center/login}.</li>
 * <li>{@code POST /binding/billing-center}: binds, with a form token derived from the user cookie (no cross-site
 * posts).</li>
 * </ul>
 * The user cookie is the binding page's (path /binding): one sign-in serves both pages.
 */
@Controller
class BillingCenterPage {

    static final String PATH = "/binding/billing-center";
    static final String STATE_COOKIE = "mb_bc_state";
    /** The instance id the sign-in would lose on its way through the identity provider. */
    static final String INSTANCE_COOKIE = "mb_bc_instance";
    static final SignIn.Flow SIGN_IN = new SignIn.Flow(STATE_COOKIE, PATH);
    /** How long the instance id waits for the sign-in: as long as the sign-in itself may take. */
    private static final Duration SIGN_IN_PENDING = Duration.ofMinutes(10);
    /** What the form token is derived from besides the user cookie: never equal to a binding page's token. */
    private static final String FORM = "billing-center";

    private final Bindings bindings;
    private final Directory directory;
    private final SignIn signIns;
    private final PageCookies cookies;
    private final MessageSource messages;
    private final String publicUrl;
    private final Clock clock;

    BillingCenterPage(Bindings bindings, Directory directory, SignIn signIns, PageCookies cookies,
                      MessageSource messages, @Value("${marketbill.binding.public-url}") String publicUrl, Clock clock) {
        this.bindings = bindings;
        this.directory = directory;
        this.signIns = signIns;
        this.cookies = cookies;
        this.messages = messages;
        this.publicUrl = publicUrl.replaceAll("/+$", "");
        this.clock = clock;
    }

    /** What the page says about the last post: bound, or why not and what to do next. */
    record Outcome(boolean bound, String message, String next, String code, String consoleUrl) {
    }

    @GetMapping(PATH)
    String page(@RequestParam(required = false) String instance, @RequestParam(required = false) String lang,
                HttpServletRequest request, HttpServletResponse response, Model model) {
        Locale locale = cookies.locale(lang, request, response);
        String prefill = prefill(instance);
        Optional<Jwt> user = signedInUser(request);
        if (user.isEmpty()) {
            if (prefill != null) {
                // encoded: an instance id may hold what a cookie value may not (;,"\)
                cookies.set(response, INSTANCE_COOKIE, URLEncoder.encode(prefill, StandardCharsets.UTF_8),
                        SIGN_IN_PENDING);
            }
            return "redirect:" + signIn(request, response);
        }
        return render(model, locale, user.get(), cookies.get(request, BindingPage.USER_COOKIE).orElseThrow(), null,
                "", prefill == null ? "" : prefill, null);
    }

    /** The identity provider's form_post, as for the binding page, to the form again. */
    @PostMapping(PATH + "/login")
    String login(@RequestParam(name = "id_token", required = false) String idToken,
                 @RequestParam(required = false) String state, HttpServletRequest request,
                 HttpServletResponse response, Model model) {
        Locale locale = cookies.locale(null, request, response);
        model.addAttribute("lang", locale.toLanguageTag());
        SignIn.Outcome signedIn = signIns.finish(request, response, SIGN_IN, cookies.secure(), idToken, state);
        if (!signedIn.signedIn()) {
            response.setStatus(HttpStatus.FORBIDDEN.value());
            model.addAttribute("refusal", BindingPage.SIGN_IN_FAILED);
            return "binding-problem";
        }
        cookies.set(response, BindingPage.USER_COOKIE, idToken,
                Duration.between(clock.instant(), signedIn.user().getExpiresAt()));
        Optional<String> prefill = cookies.get(request, INSTANCE_COOKIE)
                .map(c -> prefill(URLDecoder.decode(c, StandardCharsets.UTF_8)));
        cookies.clear(response, INSTANCE_COOKIE);
        return "redirect:" + PATH + prefill.map(i -> "?instance=" + URLEncoder.encode(i, StandardCharsets.UTF_8))
                .orElse("");
    }

    @PostMapping(PATH)
    String bind(@RequestParam(required = false) String organizationId,
                @RequestParam(required = false) String accountId, @RequestParam(required = false) String instanceId,
                @RequestParam(name = "form_token", required = false) String formToken,
                HttpServletRequest request, HttpServletResponse response, Model model) {
        Locale locale = cookies.locale(null, request, response);
        Optional<Jwt> user = signedInUser(request);
        if (user.isEmpty()) {
            return "redirect:" + signIn(request, response);
        }
        String userCookie = cookies.get(request, BindingPage.USER_COOKIE).orElseThrow();
        if (formToken == null || !MessageDigest.isEqual(formToken.getBytes(StandardCharsets.UTF_8),
                formToken(userCookie).getBytes(StandardCharsets.UTF_8))) {
            response.setStatus(HttpStatus.FORBIDDEN.value());
            model.addAttribute("lang", locale.toLanguageTag());
            model.addAttribute("refusal", "form_expired");
            return "binding-problem";
        }
        String account = accountId == null ? "" : accountId;
        String instance = instanceId == null ? "" : instanceId;
        // the API's order: the organization, then the typed proof, then the binding's own checks
        if (organizationId == null || organizationId.isBlank()) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            return render(model, locale, user.get(), userCookie, null, account, instance,
                    problem("proof.organization_missing", null, locale));
        }
        Outcome outcome = switch (AccountAndInstanceProof.check(accountId, instanceId)) {
            case AccountAndInstanceProof.Invalid invalid -> {
                response.setStatus(HttpStatus.BAD_REQUEST.value());
                yield problem("proof." + invalid.problem().code(), null, locale);
            }
            case AccountAndInstanceProof.RamAccount ram -> {
                response.setStatus(ram.refusal().status().value());
                yield problem("refusal." + ram.refusal().code(), new Object[] {ram.mainAccountId()}, locale);
            }
            case AccountAndInstanceProof.Valid typed -> {
                Decision d = bindings.bind(user.get().getSubject(), typed.subscriptionId(), organizationId,
                        Proof.ACCOUNT_AND_INSTANCE_ID, typed.accountId());
                if (!d.bound()) {
                    response.setStatus(d.refusal().status().value());
                    yield problem("refusal." + d.refusal().code(), null, locale);
                }
                String name = directory.membership(organizationId, user.get().getSubject())
                        .map(Membership::organizationName).orElse(organizationId);
                yield new Outcome(true, messages.getMessage(d.alreadyBound() ? "billing.bound.already"
                        : "billing.bound.text", new Object[] {name}, locale), null, null,
                        bindings.consoleOfBound(typed.subscriptionId()).orElse(null));
            }
        };
        // bound: the form is empty again, for another workspace; refused: what was typed stays, to be corrected
        return outcome.bound() ? render(model, locale, user.get(), userCookie, null, "", "", outcome)
                : render(model, locale, user.get(), userCookie, organizationId, account, instance, outcome);
    }

    private String render(Model model, Locale locale, Jwt user, String userCookie, String chosen, String accountId,
                          String instanceId, Outcome outcome) {
        List<Option> workspaces = workspaces(user.getSubject());
        model.addAttribute("lang", locale.toLanguageTag());
        model.addAttribute("user", user.getClaimAsString("name") == null ? user.getSubject()
                : user.getClaimAsString("name"));
        model.addAttribute("workspaces", workspaces);
        model.addAttribute("anyBindable", workspaces.stream().anyMatch(Option::bindable));
        model.addAttribute("chosen", chosen);
        model.addAttribute("accountId", accountId);
        model.addAttribute("instanceId", instanceId);
        model.addAttribute("outcome", outcome);
        model.addAttribute("formToken", formToken(userCookie));
        model.addAttribute("maxInstanceId", AccountAndInstanceProof.MAX_INSTANCE_ID_LENGTH);
        return "billing-center";
    }

    /**
     * The user's workspaces and which can pay through a marketplace purchase at all. Nothing here depends on the
     * instance typed: whether it exists is for {@link Bindings#bind} to decide, which answers a wrong account and an
     * unknown instance alike.
     */
    private List<Option> workspaces(String userId) {
        return directory.organizationsOf(userId).stream().map(m -> {
            if (!m.admin()) {
                return new Option(m, false, false, Refusal.INSUFFICIENT_PERMISSION, null);
            }
            if (bindings.activeBindingOf(m.organizationId()).isPresent()) {
                return new Option(m, false, true, Refusal.ALREADY_BOUND, null);
            }
            return new Option(m, true, false, null, null);
        }).toList();
    }

    private Outcome problem(String key, Object[] args, Locale locale) {
        // without arguments the messages are taken as written (an apostrophe stays)
        return new Outcome(false, messages.getMessage(key, args, key, locale),
                messages.getMessage(key + ".next", args, "", locale), key, null);
    }

    /** Derived from the user cookie, which another site cannot read: a forged form cannot carry it. */
    private static String formToken(String userCookie) {
        return BindingPage.formToken(FORM, userCookie);
    }

    /** The instance id to fill in, if it could be one (anything else is dropped, not shown back). */
    private static String prefill(String instance) {
        if (instance == null) {
            return null;
        }
        return AccountAndInstanceProof.check("prefill", instance) instanceof AccountAndInstanceProof.Valid v
                ? v.instanceId() : null;
    }

    private Optional<Jwt> signedInUser(HttpServletRequest request) {
        return cookies.get(request, BindingPage.USER_COOKIE).flatMap(signIns::verify);
    }

    private String signIn(HttpServletRequest request, HttpServletResponse response) {
        String base = publicUrl.isEmpty() ? ServletUriComponentsBuilder.fromContextPath(request).toUriString() : publicUrl;
        return signIns.start(response, SIGN_IN, base + PATH + "/login", cookies.secure());
    }
}

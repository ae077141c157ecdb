package io.marketbill.binding.bindings;

import io.marketbill.binding.bindings.Bindings.Binding;
import io.marketbill.binding.bindings.Bindings.Choice;
import io.marketbill.binding.bindings.Bindings.Decision;
import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.binding.directory.Directory;
import io.marketbill.binding.security.Caller;
import io.marketbill.binding.subscriptions.BindableSubscriptions;
import io.marketbill.contracts.LoginTicket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The binding API for the vendor's own console (the page does the same for browsers). Callers carry the vendor's
 * JWT; refusals are JSON {@code {"error": code, "message", "next", "detail"}} in the caller's language
 * ({@code Accept-Language}, zh-CN or en).
 */
@RestController
@RequestMapping("/api/bindings")
class BindingApi {

    /**
     * Bind with a login ticket, or (products that accept it, Guance) with the marketplace account id and the
     * instance id (商品实例 ID).
     */
    record BindRequest(String organizationId, String ticket, String marketplaceAccountId, String instanceId) {
    }

    private final Bindings bindings;
    private final BindableSubscriptions subscriptions;
    private final Directory directory;
    private final LoginTickets tickets;
    private final BindingAudit audit;
    private final MessageSource messages;

    BindingApi(Bindings bindings, BindableSubscriptions subscriptions, Directory directory, LoginTickets tickets,
               BindingAudit audit, MessageSource messages) {
        this.bindings = bindings;
        this.subscriptions = subscriptions;
        this.directory = directory;
        this.tickets = tickets;
        this.audit = audit;
        this.messages = messages;
    }

    @PostMapping
    ResponseEntity<?> bind(@RequestBody BindRequest request, Authentication auth, Locale locale) {
        Caller caller = Caller.of(auth);
        if (request.organizationId() == null || request.organizationId().isBlank()) {
            return invalid("organizationId is required");
        }
        Decision d;
        if (request.ticket() != null) {
            Optional<LoginTicket> ticket = tickets.verify(request.ticket());
            if (ticket.isEmpty()) {
                return refusal(Refusal.INVALID_TICKET, "the login ticket is invalid or expired", locale);
            }
            d = bindings.bind(caller.userId(), ticket.get().subscriptionId(), request.organizationId(),
                    Proof.LOGIN_TICKET, ticket.get().marketplaceAccountId());
        } else if (request.instanceId() != null || request.marketplaceAccountId() != null) {
            switch (AccountAndInstanceProof.check(request.marketplaceAccountId(), request.instanceId())) {
                case AccountAndInstanceProof.Invalid invalid -> {
                    return invalid(invalid.problem().apiMessage());
                }
                case AccountAndInstanceProof.RamAccount ram -> {
                    return ResponseEntity.status(ram.refusal().status())
                            .body(explain(ram.refusal(), ram.detail(), locale, ram.mainAccountId()));
                }
                case AccountAndInstanceProof.Valid typed -> d = bindings.bind(caller.userId(), typed.subscriptionId(),
                        request.organizationId(), Proof.ACCOUNT_AND_INSTANCE_ID, typed.accountId());
            }
        } else {
            return invalid("give a ticket, or a marketplaceAccountId with an instanceId");
        }
        if (!d.bound()) {
            return refusal(d.refusal(), d.detail(), locale);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("binding", d.binding());
        body.put("alreadyBound", d.alreadyBound());
        return ResponseEntity.status(d.alreadyBound() ? HttpStatus.OK : HttpStatus.CREATED).body(body);
    }

    /** The caller's organizations for the ticket's subscription: which can be bound, and why the others cannot. */
    @GetMapping("/choices")
    ResponseEntity<?> choices(@RequestParam String ticket, Authentication auth, Locale locale) {
        Optional<LoginTicket> t = tickets.verify(ticket);
        if (t.isEmpty()) {
            return refusal(Refusal.INVALID_TICKET, "the login ticket is invalid or expired", locale);
        }
        Choice c = bindings.choices(Caller.of(auth).userId(), t.get().subscriptionId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subscription", c.subscription());
        body.put("productName", c.product() == null ? null : c.product().displayName(c.subscription().productCode()));
        body.put("organizations", c.options().stream().map(o -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("organization", o.organization());
            m.put("bindable", o.bindable());
            m.put("boundHere", o.boundHere());
            m.put("reason", o.reason() == null ? null : explain(o.reason(), o.detail(), locale));
            return m;
        }).toList());
        body.put("canConfirm", c.anyBindable());
        body.put("refusal", c.refusal() == null ? null : explain(c.refusal(), c.detail(), locale));
        return ResponseEntity.ok(body);
    }

    @DeleteMapping("/subscriptions/{subscriptionId}/organizations/{organizationId}")
    ResponseEntity<?> unbind(@PathVariable String subscriptionId, @PathVariable String organizationId,
                             Authentication auth, Locale locale) {
        Caller caller = Caller.of(auth);
        Decision d = bindings.unbind(caller.userId(), caller.operator(), subscriptionId, organizationId);
        return d.bound() ? ResponseEntity.ok(Map.of("binding", d.binding()))
                : refusal(d.refusal(), d.detail(), locale);
    }

    /** The subscription and its bindings, to operators and to members of an organization it pays or paid for. */
    @GetMapping("/subscriptions/{subscriptionId}")
    ResponseEntity<?> subscription(@PathVariable String subscriptionId, Authentication auth) {
        Caller caller = Caller.of(auth);
        var sub = subscriptions.find(subscriptionId);
        List<Binding> history = bindings.historyOfSubscription(subscriptionId);
        boolean visible = caller.operator() || history.stream()
                .anyMatch(b -> directory.membership(b.organizationId(), caller.userId()).isPresent());
        if (sub.isEmpty() || !visible) {
            return notFound("no subscription " + subscriptionId);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subscription", sub.get());
        body.put("bindings", history);
        return ResponseEntity.ok(body);
    }

    /**
     * Operators: the subscriptions waiting to be bound, in the order they became visible here; page with
     * {@code since} = the last {@code recordedAt} seen (inclusive, so drop what you already have).
     */
    @GetMapping("/pending")
    ResponseEntity<?> pending(@RequestParam(required = false) java.time.Instant since,
                              @RequestParam(defaultValue = "500") int limit, Authentication auth) {
        if (!Caller.of(auth).operator()) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", "forbidden", "message",
                    "the pending subscriptions are for operators"));
        }
        return ResponseEntity.ok(Map.of("pending", subscriptions.pending(since == null ? java.time.Instant.EPOCH : since,
                limit)));
    }

    /** How the organization pays now (R10) and its binding history, to its members and operators. */
    @GetMapping("/organizations/{organizationId}")
    ResponseEntity<?> organization(@PathVariable String organizationId, Authentication auth) {
        Caller caller = Caller.of(auth);
        var org = directory.organization(organizationId);
        if (org.isEmpty() || !(caller.operator() || directory.membership(organizationId, caller.userId()).isPresent())) {
            return notFound("no organization " + organizationId);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("organization", org.get());
        body.put("binding", bindings.activeBindingOf(organizationId).orElse(null));
        body.put("history", bindings.historyOfOrganization(organizationId));
        return ResponseEntity.ok(body);
    }

    /** The audit log: operators see all; an organization's admins see their organization's. */
    @GetMapping("/audit")
    ResponseEntity<?> audit(@RequestParam(required = false) String subscriptionId,
                            @RequestParam(required = false) String organizationId,
                            @RequestParam(required = false) String actor,
                            @RequestParam(defaultValue = "100") int limit, Authentication auth) {
        Caller caller = Caller.of(auth);
        if (!caller.operator()) {
            boolean admin = organizationId != null && directory.membership(organizationId, caller.userId())
                    .map(Directory.Membership::admin).orElse(false);
            if (!admin) {
                return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", "forbidden", "message",
                        "operators see the whole audit log; an organization's admins see it with organizationId"));
            }
        }
        return ResponseEntity.ok(Map.of("entries", audit.find(subscriptionId, organizationId, actor, limit)));
    }

    private Map<String, Object> explain(Refusal refusal, String detail, Locale locale) {
        return explain(refusal, detail, locale, (Object[]) null);
    }

    /**
     * {@code args} only for the refusals whose messages have arguments: with arguments the messages are
     * MessageFormat patterns, where a single quote would be lost.
     */
    private Map<String, Object> explain(Refusal refusal, String detail, Locale locale, Object... args) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", refusal.code());
        m.put("message", messages.getMessage("refusal." + refusal.code(), args, refusal.code(), locale));
        m.put("next", messages.getMessage("refusal." + refusal.code() + ".next", args, "", locale));
        m.put("detail", detail);
        return m;
    }

    private ResponseEntity<?> refusal(Refusal refusal, String detail, Locale locale) {
        return ResponseEntity.status(refusal.status()).body(explain(refusal, detail, locale));
    }

    private static ResponseEntity<?> invalid(String message) {
        return ResponseEntity.badRequest().body(Map.of("error", "invalid_request", "message", message));
    }

    private static ResponseEntity<?> notFound(String message) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "not_found", "message", message));
    }
}

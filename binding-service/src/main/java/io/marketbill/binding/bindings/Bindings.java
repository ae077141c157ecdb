package io.marketbill.binding.bindings;

import io.marketbill.binding.directory.Directory.Membership;
import io.marketbill.binding.directory.Directory;
import io.marketbill.binding.subscriptions.BindableSubscriptions.BindableSubscription;
import io.marketbill.binding.subscriptions.BindableSubscriptions;
import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.BindingEvent;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrgUnfrozen;
import io.marketbill.contracts.OrganizationBilling;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionLifecycleEvent;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.SubscriptionUnbound;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Decides which organization a marketplace subscription pays for (R5-R16), and what the subscription's lifecycle
 * means for the organizations it pays for. Every decision, its audit entry and the events it causes commit in one
 * transaction. Concurrent binds of one subscription or one organization are serialized by row locks; the unique
 * indexes of {@code binding} stay as the last word (one insert wins, the other is "already bound").
 */
@Service
public class Bindings {

    static final String MARKETPLACE_ACTOR = "marketplace";

    /** One binding, active while {@code unboundAt} is null. */
    public record Binding(long bindingId, String subscriptionId, String organizationId, String productCode,
                          String marketplace, String marketplaceAccountId, String boundBy, Instant boundAt,
                          String previousSubscriptionId, Instant unboundAt, String unboundBy, String unbindReason) {
        public boolean active() {
            return unboundAt == null;
        }
    }

    /** How the caller proved the subscription is theirs to bind. */
    public enum Proof {
        /** the signed ticket from free login or AWS registration */
        LOGIN_TICKET,
        /** the marketplace account id plus the instance id (Guance, R8) */
        ACCOUNT_AND_INSTANCE_ID
    }

    /** The outcome: a binding (new, or already there) or a refusal with its detail. */
    public record Decision(Binding binding, boolean alreadyBound, Refusal refusal, String detail) {
        public boolean bound() {
            return refusal == null;
        }

        static Decision refused(Refusal refusal, String detail) {
            return new Decision(null, false, refusal, detail);
        }
    }

    /** One organization of the user, as the binding page shows it. */
    public record Option(Membership organization, boolean bindable, boolean boundHere, Refusal reason,
                         String detail) {
    }

    /** What the page and the API show for one subscription and one user. */
    public record Choice(BindableSubscription subscription, Products.Product product, List<Option> options,
                         Refusal refusal, String detail) {
        public boolean anyBindable() {
            return options.stream().anyMatch(Option::bindable);
        }

        public Optional<Option> boundHere() {
            return options.stream().filter(Option::boundHere).findFirst();
        }
    }

    /** One answer for an account id that does not match and an instance nobody bought. */
    static final String WRONG_ACCOUNT_OR_INSTANCE = "the account id and the instance id are not those of one purchase";

    static final class Refused extends RuntimeException {
        final Refusal refusal;
        final String detail;

        Refused(Refusal refusal, String detail) {
            super(refusal + ": " + detail, null, false, false);
            this.refusal = refusal;
            this.detail = detail;
        }
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final OrganizationEvents events;
    private final CloseOutcomes closeOutcomes;
    private final Directory directory;
    private final BindableSubscriptions subscriptions;
    private final Products products;
    private final BindingAudit audit;
    private final BindAttempts attempts;
    private final Clock clock;

    Bindings(JdbcClient jdbc, TransactionTemplate tx, OrganizationEvents events, CloseOutcomes closeOutcomes,
             Directory directory, BindableSubscriptions subscriptions, Products products, BindingAudit audit,
             BindAttempts attempts, Clock clock) {
        this.attempts = attempts;
        this.jdbc = jdbc;
        this.tx = tx;
        this.events = events;
        this.closeOutcomes = closeOutcomes;
        this.directory = directory;
        this.subscriptions = subscriptions;
        this.products = products;
        this.audit = audit;
        this.clock = clock;
    }

    // ---- binding and unbinding, by a user ------------------------------------------------------------------

    /**
     * Binds the subscription to the organization for the user.
     *
     * @param claimedAccountId with {@link Proof#ACCOUNT_AND_INSTANCE_ID}: the account id the user typed; with a
     *                         ticket: the account the ticket names, or null
     */
    public Decision bind(String userId, String subscriptionId, String organizationId, Proof proof,
                         String claimedAccountId) {
        Instant now = clock.instant();
        if (proof == Proof.ACCOUNT_AND_INSTANCE_ID) {
            long[] wrong = audit.wrongProofs(userId, organizationId, now.minus(attempts.window()));
            if (attempts.exhausted(wrong[0], wrong[1])) {
                return refusedAndAudited(now, userId, "BIND", subscriptionId, organizationId,
                        Refusal.TOO_MANY_ATTEMPTS, "too many wrong account ids lately; try again in "
                                + attempts.window().toMinutes() + " minutes");
            }
        }
        try {
            Decision d = tx.execute(s -> doBind(userId, subscriptionId, organizationId, proof, claimedAccountId, now));
            return d;
        } catch (Refused r) {
            return refusedAndAudited(now, userId, "BIND", subscriptionId, organizationId, r.refusal, r.detail);
        } catch (DuplicateKeyException race) {
            // another binding of this organization or subscription committed first
            return refusedAndAudited(now, userId, "BIND", subscriptionId, organizationId, Refusal.ALREADY_BOUND,
                    "bound by someone else a moment ago");
        }
    }

    private Decision doBind(String userId, String subscriptionId, String organizationId, Proof proof,
                            String claimedAccountId, Instant now) {
        // who is asking first: someone who is no member of the organization learns nothing about any subscription
        Membership m = membership(userId, organizationId);
        // one decision at a time per subscription and per organization (always in this order, so no deadlock):
        // the checks below read several tables, and without the locks a concurrent winner could commit between two
        // of them and the loser would see half of its decision
        Optional<BindableSubscription> found = subscriptions.findForUpdate(subscriptionId);
        if (found.isEmpty() && proof == Proof.ACCOUNT_AND_INSTANCE_ID) {
            // the same answer as a wrong account id: the two identifiers are the proof, and which of them is wrong
            // would tell a guesser that an instance exists
            throw new Refused(Refusal.ACCOUNT_MISMATCH, WRONG_ACCOUNT_OR_INSTANCE);
        }
        BindableSubscription sub = found.orElseThrow(() -> new Refused(
                Refusal.SUBSCRIPTION_UNKNOWN, "no subscription " + subscriptionId + " (yet)"));
        Products.Product product = products.find(sub.productCode()).orElseThrow(() -> new Refused(
                Refusal.PRODUCT_NOT_CONFIGURED, "product " + sub.productCode() + " is not configured"));
        checkProof(sub, product, proof, claimedAccountId);
        jdbc.sql("SELECT 1 FROM organization WHERE organization_id = :org FOR UPDATE").param("org", organizationId)
                .query(Integer.class).optional();
        Optional<Binding> here = activeBinding(subscriptionId, organizationId);
        if (here.isPresent()) {
            return new Decision(here.get(), true, null, null);
        }
        Option option = evaluate(sub, product, m);
        if (!option.bindable()) {
            throw new Refused(option.reason(), option.detail());
        }
        if (product.bindingPolicy() == BindingPolicy.ONE_ACCOUNT_ONE_VENDOR_ACCOUNT) {
            jdbc.sql("""
                    INSERT INTO account_link (product_code, marketplace, marketplace_account_id, organization_id, linked_at)
                    VALUES (:product, :marketplace, :account, :org, :at) ON CONFLICT DO NOTHING""")
                    .param("product", sub.productCode()).param("marketplace", sub.marketplace())
                    .param("account", sub.marketplaceAccountId()).param("org", organizationId)
                    .param("at", Timestamp.from(now)).update();
            // a concurrent link may have won: what is linked now decides
            Option again = evaluate(sub, product, m);
            if (!again.bindable()) {
                throw new Refused(again.reason(), again.detail());
            }
        }
        String previous = jdbc.sql("DELETE FROM pending_close_action WHERE organization_id = :org RETURNING subscription_id")
                .param("org", organizationId).query(String.class).optional().orElse(null);
        long id = jdbc.sql("""
                INSERT INTO binding (subscription_id, organization_id, product_code, marketplace, marketplace_account_id,
                    exclusive, bound_by, bound_at, previous_subscription_id)
                VALUES (:sub, :org, :product, :marketplace, :account, :exclusive, :user, :at, :previous)
                RETURNING binding_id""")
                .param("sub", subscriptionId).param("org", organizationId).param("product", sub.productCode())
                .param("marketplace", sub.marketplace()).param("account", sub.marketplaceAccountId())
                .param("exclusive", product.bindingPolicy().exclusive()).param("user", userId)
                .param("at", Timestamp.from(now)).param("previous", previous)
                .query(Long.class).single();
        // what the organization was paying through before: the events below tell the platform what changed
        OrganizationBilling before = billing(organizationId);
        emit(subscriptionId, now, new SubscriptionBound(organizationId, sub.productCode(), sub.marketplaceAccountId(),
                userId, previous));
        if (before.frozen()) {
            emit(subscriptionId, now, new OrgUnfrozen(organizationId, "SUBSCRIPTION_BOUND"));
        }
        // bound again before the stopped deployments' deletion time: they are kept (R12)
        closeOutcomes.cancelDeletion(organizationId, subscriptionId, now);
        if (!OrganizationBilling.MARKETPLACE.equals(before.channel())
                || !sub.marketplace().equals(before.marketplace())
                || !sub.marketplaceAccountId().equals(before.marketplaceAccountId())) {
            emit(subscriptionId, now, new BillingChannelChanged(organizationId, OrganizationBilling.MARKETPLACE,
                    sub.marketplace(), sub.marketplaceAccountId()));
        }
        audit.record(now, userId, "BIND", subscriptionId, organizationId, "BOUND", null,
                previous == null ? "proof " + proof : "account switch from " + previous + ", proof " + proof);
        return new Decision(bindingById(id), false, null, null);
    }

    private void checkProof(BindableSubscription sub, Products.Product product, Proof proof, String claimedAccountId) {
        if (proof == Proof.ACCOUNT_AND_INSTANCE_ID) {
            if (!product.acceptsAccountAndInstanceId()) {
                throw new Refused(Refusal.PROOF_NOT_ACCEPTED, product.displayName(sub.productCode())
                        + " binds only from the marketplace's free-login link");
            }
            if (claimedAccountId == null || !claimedAccountId.strip().equals(sub.marketplaceAccountId())) {
                throw new Refused(Refusal.ACCOUNT_MISMATCH, WRONG_ACCOUNT_OR_INSTANCE);
            }
        } else if (claimedAccountId != null && !claimedAccountId.isEmpty()
                && !claimedAccountId.equals(sub.marketplaceAccountId())) {
            throw new Refused(Refusal.ACCOUNT_MISMATCH, "the ticket names another marketplace account");
        }
    }

    private Membership membership(String userId, String organizationId) {
        List<Membership> all = directory.organizationsOf(userId);
        if (all.isEmpty()) {
            throw new Refused(Refusal.NO_ORGANIZATION, userId + " belongs to no organization");
        }
        return all.stream().filter(m -> m.organizationId().equals(organizationId)).findFirst()
                .orElseThrow(() -> new Refused(Refusal.NOT_A_MEMBER, userId + " is not a member of " + organizationId));
    }

    /** Whether the subscription may be bound to this organization now, and if not, why (no writes). */
    private Option evaluate(BindableSubscription sub, Products.Product product, Membership m) {
        String org = m.organizationId();
        if (activeBinding(sub.subscriptionId(), org).isPresent()) {
            return new Option(m, false, true, null, null);
        }
        if (!m.admin()) {
            return new Option(m, false, false, Refusal.INSUFFICIENT_PERMISSION,
                    "only an admin of " + m.organizationName() + " may bind it");
        }
        if (!"OPEN".equals(sub.status())) {
            return new Option(m, false, false, Refusal.SUBSCRIPTION_NOT_BINDABLE,
                    "the subscription is " + sub.status().toLowerCase());
        }
        Optional<Binding> orgBinding = activeBindingOf(org);
        if (orgBinding.isPresent()) {
            return new Option(m, false, false, Refusal.ALREADY_BOUND,
                    m.organizationName() + " already pays through subscription " + orgBinding.get().subscriptionId());
        }
        if (product.bindingPolicy().exclusive()) {
            List<Binding> elsewhere = activeBindingsOf(sub.subscriptionId());
            if (!elsewhere.isEmpty()) {
                return new Option(m, false, false, Refusal.ALREADY_BOUND,
                        "this subscription already pays for another organization");
            }
        }
        if (product.bindingPolicy() == BindingPolicy.ONE_ACCOUNT_ONE_VENDOR_ACCOUNT) {
            Optional<String> linkedOrg = jdbc.sql("""
                    SELECT organization_id FROM account_link
                    WHERE product_code = :product AND marketplace = :marketplace AND marketplace_account_id = :account""")
                    .param("product", sub.productCode()).param("marketplace", sub.marketplace())
                    .param("account", sub.marketplaceAccountId()).query(String.class).optional();
            if (linkedOrg.isPresent() && !linkedOrg.get().equals(org)) {
                return new Option(m, false, false, Refusal.ACCOUNT_LINKED_ELSEWHERE,
                        "marketplace account " + sub.marketplaceAccountId() + " is linked to another account");
            }
            Optional<String> linkedAccount = jdbc.sql("""
                    SELECT marketplace || ':' || marketplace_account_id FROM account_link
                    WHERE product_code = :product AND organization_id = :org""")
                    .param("product", sub.productCode()).param("org", org).query(String.class).optional();
            if (linkedAccount.isPresent()
                    && !linkedAccount.get().equals(sub.marketplace() + ":" + sub.marketplaceAccountId())) {
                return new Option(m, false, false, Refusal.ACCOUNT_LINKED_ELSEWHERE,
                        m.organizationName() + " is linked to another marketplace account");
            }
        }
        return new Option(m, true, false, null, null);
    }

    /** The user's organizations for this subscription: which can be bound, which is bound, why the others cannot. */
    public Choice choices(String userId, String subscriptionId) {
        Optional<BindableSubscription> sub = subscriptions.find(subscriptionId);
        if (sub.isEmpty()) {
            return new Choice(null, null, List.of(), Refusal.SUBSCRIPTION_UNKNOWN,
                    "no subscription " + subscriptionId + " (yet)");
        }
        Optional<Products.Product> product = products.find(sub.get().productCode());
        if (product.isEmpty()) {
            return new Choice(sub.get(), null, List.of(), Refusal.PRODUCT_NOT_CONFIGURED,
                    "product " + sub.get().productCode() + " is not configured");
        }
        List<Option> options = new ArrayList<>();
        for (Membership m : directory.organizationsOf(userId)) {
            options.add(evaluate(sub.get(), product.get(), m));
        }
        if (options.isEmpty()) {
            return new Choice(sub.get(), product.get(), options, Refusal.NO_ORGANIZATION,
                    userId + " belongs to no organization");
        }
        return new Choice(sub.get(), product.get(), options, null, null);
    }

    /**
     * Unbinds for the user (an admin of the organization) or for an operator. The organization falls back to the
     * vendor's own billing at once: a user who unbinds chose to.
     */
    public Decision unbind(String actor, boolean operator, String subscriptionId, String organizationId) {
        Instant now = clock.instant();
        try {
            return tx.execute(s -> {
                if (!operator) {
                    Membership m = membership(actor, organizationId);
                    if (!m.admin()) {
                        throw new Refused(Refusal.INSUFFICIENT_PERMISSION,
                                "only an admin of " + m.organizationName() + " may unbind it");
                    }
                }
                Binding b = activeBinding(subscriptionId, organizationId).orElseThrow(() -> new Refused(
                        Refusal.NOT_BOUND, subscriptionId + " does not pay for " + organizationId));
                end(b, "UNBOUND_BY_USER", actor, now);
                emit(subscriptionId, now, new BillingChannelChanged(organizationId, OrganizationBilling.VENDOR, null,
                        null));
                audit.record(now, actor, "UNBIND", subscriptionId, organizationId, "UNBOUND", null,
                        operator ? "by an operator" : null);
                return new Decision(bindingById(b.bindingId()), false, null, null);
            });
        } catch (Refused r) {
            return refusedAndAudited(now, actor, "UNBIND", subscriptionId, organizationId, r.refusal, r.detail);
        }
    }

    private Decision refusedAndAudited(Instant now, String actor, String action, String subscriptionId,
                                       String organizationId, Refusal refusal, String detail) {
        tx.executeWithoutResult(s -> audit.record(now, actor, action, subscriptionId, organizationId, "REFUSED",
                refusal.code(), detail));
        return Decision.refused(refusal, detail);
    }

    // ---- what the marketplace and the directory cause (inside the consumer's transaction) ------------------

    /** Frozen: freeze the organizations it pays for; resumed: unfreeze; closed: unbind and start the grace period. */
    public void onLifecycle(EventEnvelope e) {
        String subscriptionId = e.subscriptionId();
        Instant at = e.occurredAt();
        // only lifecycle events belong on this topic: another payload (a wrong producer) is ignored, as it always was
        if (!(e.payload() instanceof SubscriptionLifecycleEvent event)) {
            return;
        }
        switch (event) {
            case SubscriptionFrozen _ -> {
                for (Binding b : bindingsPayingAt(subscriptionId, at)) {
                    if (!billing(b.organizationId()).frozen()) {
                        emit(subscriptionId, at, new OrgFrozen(b.organizationId(), "SUBSCRIPTION_FROZEN"));
                        audit.record(at, MARKETPLACE_ACTOR, "FREEZE", subscriptionId, b.organizationId(), "FROZEN",
                                null, "the marketplace suspended the subscription");
                    }
                }
            }
            case SubscriptionResumed _ -> {
                for (Binding b : bindingsPayingAt(subscriptionId, at)) {
                    if (billing(b.organizationId()).frozen()) {
                        emit(subscriptionId, at, new OrgUnfrozen(b.organizationId(), "SUBSCRIPTION_RESUMED"));
                        audit.record(at, MARKETPLACE_ACTOR, "UNFREEZE", subscriptionId, b.organizationId(),
                                "UNFROZEN", null, "the marketplace resumed the subscription");
                    }
                }
            }
            case SubscriptionClosed _ -> closed(subscriptionId, at);
            // opening makes it bindable (BindableSubscriptions); whom it pays for is the buyer's choice, made later
            case SubscriptionOpened _ -> { }
            // renewed, upgraded, refunded: it pays for the same (renewing a frozen one also sends SubscriptionResumed)
            case SubscriptionChanged _ -> { }
        }
    }

    /**
     * Unbinds what the closed subscription paid for. Each product's settings say what follows (R12-R15): within the
     * switch grace period another subscription may take over, and the organization pays through no one meanwhile;
     * then the close action runs ({@link CloseActions}). A product without a grace period (Guance, R14) has its close
     * action in this transaction, and its organizations are named together.
     */
    private void closed(String subscriptionId, Instant at) {
        List<Binding> active = activeBindingsOf(subscriptionId);
        if (active.isEmpty()) {
            return;
        }
        Products.Product product = products.find(active.get(0).productCode()).orElse(null);
        CloseAction action = product == null ? CloseAction.VENDOR_BILLING : product.closeAction();
        boolean atOnce = product != null && product.closesAtOnce();
        Instant due = atOnce ? at : at.plus(product == null ? Products.DEFAULT_SWITCH_GRACE
                : product.switchGracePeriod());
        for (Binding b : active) {
            end(b, "SUBSCRIPTION_CLOSED", null, at, action, due);
            if (!atOnce) {
                jdbc.sql("""
                    INSERT INTO pending_close_action (organization_id, subscription_id, product_code, action, due_at,
                        created_at) VALUES (:org, :sub, :product, :action, :due, :at)
                    ON CONFLICT (organization_id) DO UPDATE SET subscription_id = EXCLUDED.subscription_id,
                        product_code = EXCLUDED.product_code, action = EXCLUDED.action, due_at = EXCLUDED.due_at""")
                        .param("org", b.organizationId()).param("sub", subscriptionId)
                        .param("product", b.productCode()).param("action", action.name())
                        .param("due", Timestamp.from(due)).param("at", Timestamp.from(at)).update();
            }
            audit.record(at, MARKETPLACE_ACTOR, "UNBIND", subscriptionId, b.organizationId(), "UNBOUND",
                    "subscription_closed", atOnce ? action + " at once (the product has no switch grace period)"
                            : action + " at " + due + " unless another subscription is bound before");
        }
        if (atOnce) {
            closeOutcomes.carryOut(subscriptionId, active.get(0).productCode(), action,
                    active.stream().map(Binding::organizationId).toList(), at);
        }
    }

    /** A deleted organization no longer pays through anything, and nothing is pending for it. */
    public void onOrganizationDeleted(String organizationId, Instant at) {
        activeBindingOf(organizationId).ifPresent(b -> {
            end(b, "ORGANIZATION_DELETED", null, at);
            audit.record(at, "directory", "UNBIND", b.subscriptionId(), organizationId, "UNBOUND",
                    "organization_deleted", null);
        });
        jdbc.sql("DELETE FROM pending_close_action WHERE organization_id = :org").param("org", organizationId).update();
        closeOutcomes.forget(organizationId);
        // EMQX (R8): the marketplace account may link to another organization now
        jdbc.sql("DELETE FROM account_link WHERE organization_id = :org RETURNING product_code, marketplace || ':' || marketplace_account_id")
                .param("org", organizationId).query((rs, i) -> rs.getString(1) + " " + rs.getString(2)).list()
                .forEach(link -> audit.record(at, "directory", "RELEASE_ACCOUNT_LINK", null, organizationId,
                        "RELEASED", "organization_deleted", link));
    }

    private void end(Binding b, String reason, String by, Instant at) {
        end(b, reason, by, at, null, null);
    }

    private void end(Binding b, String reason, String by, Instant at, CloseAction closeAction, Instant closeAt) {
        jdbc.sql("""
                UPDATE binding SET unbound_at = :at, unbound_by = :by, unbind_reason = :reason
                WHERE binding_id = :id AND unbound_at IS NULL""")
                .param("id", b.bindingId()).param("at", Timestamp.from(at)).param("by", by).param("reason", reason)
                .update();
        emit(b.subscriptionId(), at, new SubscriptionUnbound(b.organizationId(), b.productCode(),
                b.marketplaceAccountId(), reason, by, closeAction == null ? null : closeAction.name(), closeAt));
    }

    OrganizationBilling billing(String organizationId) {
        return events.billing(organizationId);
    }

    private void emit(String subscriptionId, Instant at, BindingEvent event) {
        events.emit(subscriptionId, at, event);
    }

    // ---- queries ---------------------------------------------------------------------------------------------

    public Optional<Binding> activeBinding(String subscriptionId, String organizationId) {
        return jdbc.sql("SELECT * FROM binding WHERE subscription_id = :sub AND organization_id = :org "
                        + "AND unbound_at IS NULL")
                .param("sub", subscriptionId).param("org", organizationId).query(Bindings::binding).optional();
    }

    public Optional<Binding> activeBindingOf(String organizationId) {
        return jdbc.sql("SELECT * FROM binding WHERE organization_id = :org AND unbound_at IS NULL")
                .param("org", organizationId).query(Bindings::binding).optional();
    }

    public List<Binding> activeBindingsOf(String subscriptionId) {
        return jdbc.sql("SELECT * FROM binding WHERE subscription_id = :sub AND unbound_at IS NULL ORDER BY binding_id")
                .param("sub", subscriptionId).query(Bindings::binding).list();
    }

    /**
     * Whom a freeze or resume that happened at {@code at} applies to: the subscription's active bindings, and those its
     * close ended after {@code at} while the close's action is still pending. subscription-service derives the resume
     * of a renewed frozen subscription, and the freeze of a refunded renewal, and publishes them from its outbox; the
     * gateway publishes the marketplace's next call (a release) directly, so on the topic the release can come
     * first. Applied by when it happened, the late event leaves the organization as the events in order would have.
     * Once another subscription pays for the organization, or the close action has run, the pending row is gone and
     * the old subscription's late event is not the organization's any more.
     */
    private List<Binding> bindingsPayingAt(String subscriptionId, Instant at) {
        return jdbc.sql("""
                SELECT b.* FROM binding b WHERE b.subscription_id = :sub AND (b.unbound_at IS NULL
                    OR (b.unbind_reason = 'SUBSCRIPTION_CLOSED' AND b.unbound_at > :at AND EXISTS (
                        SELECT 1 FROM pending_close_action p
                        WHERE p.organization_id = b.organization_id AND p.subscription_id = b.subscription_id)))
                ORDER BY b.binding_id""")
                .param("sub", subscriptionId).param("at", Timestamp.from(at)).query(Bindings::binding).list();
    }

    /** The product's console, when the subscription is bound and the product names one (R9). */
    public Optional<String> consoleOfBound(String subscriptionId) {
        List<Binding> active = activeBindingsOf(subscriptionId);
        if (active.isEmpty()) {
            return Optional.empty();
        }
        return products.find(active.get(0).productCode()).map(Products.Product::consoleUrl)
                .filter(u -> !u.isBlank());
    }

    /** Every binding of the subscription, past ones included, oldest first. */
    public List<Binding> historyOfSubscription(String subscriptionId) {
        return jdbc.sql("SELECT * FROM binding WHERE subscription_id = :sub ORDER BY binding_id")
                .param("sub", subscriptionId).query(Bindings::binding).list();
    }

    public List<Binding> historyOfOrganization(String organizationId) {
        return jdbc.sql("SELECT * FROM binding WHERE organization_id = :org ORDER BY binding_id")
                .param("org", organizationId).query(Bindings::binding).list();
    }

    private Binding bindingById(long id) {
        return jdbc.sql("SELECT * FROM binding WHERE binding_id = :id").param("id", id).query(Bindings::binding)
                .single();
    }

    private static Binding binding(ResultSet rs, int row) throws SQLException {
        Timestamp unbound = rs.getTimestamp("unbound_at");
        return new Binding(rs.getLong("binding_id"), rs.getString("subscription_id"), rs.getString("organization_id"),
                rs.getString("product_code"), rs.getString("marketplace"), rs.getString("marketplace_account_id"),
                rs.getString("bound_by"), rs.getTimestamp("bound_at").toInstant(),
                rs.getString("previous_subscription_id"), unbound == null ? null : unbound.toInstant(),
                rs.getString("unbound_by"), rs.getString("unbind_reason"));
    }
}

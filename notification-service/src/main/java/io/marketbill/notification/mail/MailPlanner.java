package io.marketbill.notification.mail;

import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.BillingEvent;
import io.marketbill.contracts.BindingEvent;
import io.marketbill.contracts.DeploymentsDeletionCancelled;
import io.marketbill.contracts.DeploymentsDeletionReminder;
import io.marketbill.contracts.DeploymentsDeletionScheduled;
import io.marketbill.contracts.DeploymentsStopRequested;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.HourRated;
import io.marketbill.contracts.MeteringOverdue;
import io.marketbill.contracts.MeteringRejected;
import io.marketbill.contracts.MeteringReported;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrgUnfrozen;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionLifecycleEvent;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.SubscriptionUnbound;
import io.marketbill.contracts.UsageForVendorBilling;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.notification.directory.DirectoryReplica;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a billing event into the mails it calls for: one row per recipient in the send log, in the consumer's
 * transaction, so an event is planned exactly once and nobody is mailed twice for it. Recipients: the
 * organization's admins (their language) and, where configured, the operations addresses.
 */
@Component
public class MailPlanner {

    private final JdbcClient jdbc;
    private final DirectoryReplica directory;
    private final MailProperties props;
    private final Clock clock;
    private final EventCodec codec;
    private final JsonMapper json = JsonMapper.builder().build();

    MailPlanner(JdbcClient jdbc, DirectoryReplica directory, MailProperties props, Clock clock, EventCodec codec,
                MeterRegistry meters) {
        this.jdbc = jdbc;
        this.directory = directory;
        this.props = props;
        this.clock = clock;
        this.codec = codec;
        Gauge.builder("marketbill.mail.awaiting.directory", this::awaitingDirectory)
                .description("Billing events whose organization has no known admin yet (mail planned when one arrives)")
                .register(meters);
    }

    /** Billing events waiting for an admin of their organization to reach this copy of the directory. */
    public long awaitingDirectory() {
        return jdbc.sql("SELECT COUNT(*) FROM mail_awaiting_directory").query(Long.class).single();
    }

    /**
     * An admin may have arrived: the events that waited for one are planned now, in the same transaction as the
     * directory change. They stay waiting while the organization still has no admin with an address.
     */
    @EventListener
    void on(DirectoryReplica.AdminsChanged changed) {
        lockDirectoryOf(changed.organizationId());
        if (directory.adminsOf(changed.organizationId()).isEmpty()) {
            return;
        }
        List<String> waiting = jdbc.sql("DELETE FROM mail_awaiting_directory WHERE organization_id = :o RETURNING event")
                .param("o", changed.organizationId()).query(String.class).list();
        waiting.forEach(event -> plan(codec.decode(event)));
    }

    /** Plans the mails of one event, in the caller's transaction; returns how many. */
    public int plan(EventEnvelope e) {
        Object p = e.payload();
        if (p instanceof BindingEvent b) {
            return planBinding(e, b);
        }
        if (p instanceof SubscriptionLifecycleEvent l) {
            return planLifecycle(e, l);
        }
        if (p instanceof BillingEvent b) {
            return planBilling(e, b);
        }
        // no other family comes from the topics this plans for (a wrong producer's payload): no mail, as always
        return 0;
    }

    private int planBinding(EventEnvelope e, BindingEvent event) {
        return switch (event) {
            case SubscriptionBound b -> {
                jdbc.sql("""
                    INSERT INTO account_organization (marketplace_account_id, organization_id, subscription_id, bound_at,
                        product_code)
                    VALUES (:a, :o, :s, :at, :product) ON CONFLICT DO NOTHING""")
                        .param("a", String.valueOf(b.marketplaceAccountId())).param("o", b.organizationId())
                        .param("s", e.subscriptionId()).param("at", Timestamp.from(e.occurredAt()))
                        .param("product", b.productCode()).update();
                MailType type = b.previousSubscriptionId() == null ? MailType.CHANNEL_ACTIVE
                        : MailType.ACCOUNT_SWITCHED;
                yield toOrganization(e, type, b.organizationId(), b.productCode(), Map.of(
                        "marketplace", e.marketplace(), "accountId", String.valueOf(b.marketplaceAccountId()),
                        "instanceId", instanceId(e.subscriptionId()),
                        "previousInstanceId",
                        b.previousSubscriptionId() == null ? "" : instanceId(b.previousSubscriptionId())));
            }
            case SubscriptionUnbound u -> {
                // back to the vendor's own billing at once (Guance, no switch grace): its BACK_TO_VENDOR_BILLING says
                // it all, a second mail about the same moment would only repeat it
                if ("VENDOR_BILLING".equals(u.closeAction()) && u.closeActionAt() != null
                        && !u.closeActionAt().isAfter(e.occurredAt())) {
                    yield 0;
                }
                Map<String, Object> facts = new LinkedHashMap<>(Map.of("marketplace", e.marketplace(),
                        "accountId", String.valueOf(u.marketplaceAccountId()), "instanceId", instanceId(e.subscriptionId()),
                        "reason", String.valueOf(u.reason())));
                // events written before the close action existed, and unbindings by an admin, have none
                if (u.closeAction() != null && u.closeActionAt() != null) {
                    facts.put("closeAction", u.closeAction());
                    facts.put("closeActionAt", u.closeActionAt().toString());
                }
                yield toOrganization(e, MailType.CHANNEL_ENDED, u.organizationId(), u.productCode(), facts);
            }
            // to the marketplace is told by CHANNEL_ACTIVE; back to the vendor's own billing is its own mail (R14)
            case BillingChannelChanged c -> "VENDOR".equals(c.channel())
                    ? backToVendorBilling(e, c)
                    : 0;
            case OrgFrozen f -> toOrganization(e, MailType.ORGANIZATION_FROZEN, f.organizationId(), product(e),
                    Map.of("reason", String.valueOf(f.reason())));
            // unfrozen because the closed subscription returned it to the vendor's billing: that mail says it all
            case OrgUnfrozen f -> "VENDOR_BILLING".equals(f.reason()) ? 0
                    : toOrganization(e, MailType.ORGANIZATION_UNFROZEN, f.organizationId(), product(e), Map.of());
            case DeploymentsStopRequested s -> {
                Map<String, Object> facts = new LinkedHashMap<>(Map.of("exceptTrial", s.exceptTrial()));
                // null in events written before it existed: the mail then says so without a time
                if (s.deleteAt() != null) {
                    facts.put("deleteAt", s.deleteAt().toString());
                }
                yield toOrganization(e, MailType.DEPLOYMENTS_STOPPING, s.organizationId(), product(e), facts);
            }
            case DeploymentsDeletionScheduled d -> toOrganization(e, MailType.DEPLOYMENTS_DELETION_SCHEDULED,
                    d.organizationId(), product(e), Map.of("deleteAt", d.deleteAt().toString()));
            // the day before (R12): a mail of its own, as the schedule's was days ago and may be forgotten
            case DeploymentsDeletionReminder r -> toOrganization(e, MailType.DEPLOYMENTS_DELETION_REMINDER,
                    r.organizationId(), product(e), Map.of("deleteAt", r.deleteAt().toString()));
            // CHANNEL_ACTIVE tells of the binding; this takes back the deletion the earlier mails announced
            case DeploymentsDeletionCancelled c -> toOrganization(e, MailType.DEPLOYMENTS_DELETION_CANCELLED,
                    c.organizationId(), product(e), Map.of("reason", String.valueOf(c.reason())));
        };
    }

    private int planLifecycle(EventEnvelope e, SubscriptionLifecycleEvent event) {
        return switch (event) {
            case SubscriptionOpened o -> {
                // the buyer's address is known only if this account paid for an organization before: through another
                // subscription, bound before this one opened (this one's own binding may have been read first)
                Set<DirectoryReplica.Recipient> buyers = new LinkedHashSet<>();
                List<String> orgs = jdbc.sql("""
                    SELECT DISTINCT organization_id FROM account_organization
                    WHERE marketplace_account_id = :a AND subscription_id <> :s AND bound_at <= :opened
                    ORDER BY organization_id""")
                        .param("a", String.valueOf(o.marketplaceAccountId())).param("s", e.subscriptionId())
                        .param("opened", Timestamp.from(e.occurredAt())).query(String.class).list();
                orgs.forEach(org -> buyers.addAll(directory.adminsOf(org)));
                Map<String, Object> model = Map.of("marketplace", e.marketplace(), "accountId",
                        String.valueOf(o.marketplaceAccountId()), "instanceId", instanceId(e.subscriptionId()),
                        "trial", o.trial());
                yield add(e, MailType.SUBSCRIPTION_OPENED, o.productCode(), null, new ArrayList<>(buyers), model);
            }
            // frozen, resumed, closed are mailed as binding.v1 tells what they did to an organization (OrgFrozen,
            // OrgUnfrozen, SubscriptionUnbound, ...); a change (a renewal, an upgrade) calls for no mail
            case SubscriptionChanged _, SubscriptionFrozen _, SubscriptionResumed _, SubscriptionClosed _ -> 0;
        };
    }

    private int planBilling(EventEnvelope e, BillingEvent event) {
        return switch (event) {
            case MeteringOverdue m -> {
                List<DirectoryReplica.Recipient> ops = operations();
                Map<String, Object> facts = new java.util.LinkedHashMap<>(Map.of("subscriptionId", e.subscriptionId(),
                        "dimension", m.dimension(), "hourStart", m.hourStart().toString(), "units", m.units(),
                        "deadline", m.deadline().toString(), "ledgerId", m.ledgerId()));
                // the yuan of what the marketplace will not bill (events recorded before amounts existed have none)
                if (m.amount() != null) {
                    facts.put("amount", m.amount());
                }
                yield add(e, MailType.METERING_UNDELIVERED, product(e), null, ops, facts);
            }
            // rated hours, accepted records: billing as usual; a rejected record is not mailed (the ledger lists it);
            // usage handed to the vendor's billing is the vendor platform's to bill and tell its customer about
            case HourRated _, MeteringReported _, MeteringRejected _, UsageForVendorBilling _ -> 0;
        };
    }

    /**
     * BACK_TO_VENDOR_BILLING. Organizations that fell back together (a closed Guance subscription's workspaces, each
     * with its own event naming them all in the same order) are told in one mail per admin, naming every one of them
     * the admin administers: planned in the event of the first of them (by the directory as it is now), skipped in
     * the others. Operations get their one copy, naming them all, in the event of the first of the list.
     */
    private int backToVendorBilling(EventEnvelope e, BillingChannelChanged c) {
        List<String> together = c.fellBackTogether();
        if (together == null || together.isEmpty() || !together.contains(c.organizationId())) {
            return toOrganization(e, MailType.BACK_TO_VENDOR_BILLING, c.organizationId(), product(e),
                    Map.of("marketplace", String.valueOf(c.marketplace())));
        }
        String org = c.organizationId();
        String productCode = product(e);
        lockDirectoryOf(org);
        List<DirectoryReplica.Recipient> admins = directory.adminsOf(org);
        if (admins.isEmpty()) {
            awaitDirectory(e, org);
        }
        Map<String, List<DirectoryReplica.Recipient>> adminsByOrganization = new LinkedHashMap<>();
        together.forEach(o -> adminsByOrganization.put(o, o.equals(org) ? admins : directory.adminsOf(o)));
        int planned = 0;
        for (DirectoryReplica.Recipient admin : admins) {
            List<String> theirs = together.stream().filter(o -> adminsByOrganization.get(o).stream()
                    .anyMatch(r -> r.email().equalsIgnoreCase(admin.email()))).toList();
            if (!theirs.getFirst().equals(org)) {
                continue; // told in the event of the first of theirs
            }
            planned += add(e, MailType.BACK_TO_VENDOR_BILLING, productCode, org, List.of(admin),
                    groupFacts(c, theirs));
        }
        if (together.getFirst().equals(org) && MailType.BACK_TO_VENDOR_BILLING.critical() && props.copyOperations()) {
            planned += add(e, MailType.BACK_TO_VENDOR_BILLING, productCode, org, operations(), groupFacts(c, together));
        }
        return planned;
    }

    private Map<String, Object> groupFacts(BillingChannelChanged c, List<String> organizations) {
        return Map.of("marketplace", String.valueOf(c.marketplace()),
                "organizationNames", organizations.stream().map(directory::organizationName).toList());
    }

    private List<DirectoryReplica.Recipient> operations() {
        List<DirectoryReplica.Recipient> ops = new ArrayList<>();
        props.operationsAddresses().forEach(a -> ops.add(new DirectoryReplica.Recipient(a, props.operationsLanguage())));
        return ops;
    }

    private int toOrganization(EventEnvelope e, MailType type, String organizationId, String productCode,
                               Map<String, Object> facts) {
        lockDirectoryOf(organizationId);
        List<DirectoryReplica.Recipient> to = new ArrayList<>(directory.adminsOf(organizationId));
        if (to.isEmpty()) {
            awaitDirectory(e, organizationId);
        }
        if (type.critical() && props.copyOperations()) {
            to.addAll(operations());
        }
        return add(e, type, productCode, organizationId, to, facts);
    }

    /**
     * directory.v1 is another topic: after an outage its news of this organization can come later than the event. The
     * event waits for an admin instead of being done with no one told.
     */
    private void awaitDirectory(EventEnvelope e, String organizationId) {
        jdbc.sql("""
                INSERT INTO mail_awaiting_directory (event_id, organization_id, event, created_at)
                VALUES (:e, :o, :event, :now) ON CONFLICT DO NOTHING""")
                .param("e", e.eventId()).param("o", organizationId).param("event", codec.encode(e))
                .param("now", Timestamp.from(clock.instant())).update();
    }

    /**
     * Until the transaction ends: the directory consumer and the billing consumers run concurrently, and without this
     * an event could read "no admin" while the admin's arrival, not yet committed, found nothing waiting yet.
     */
    private void lockDirectoryOf(String organizationId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('mail-directory:' || :o))").param("o", organizationId)
                .query((rs, n) -> 1).list();
    }

    private int add(EventEnvelope e, MailType type, String productCode, String organizationId,
                    List<DirectoryReplica.Recipient> to, Map<String, Object> facts) {
        Instant now = clock.instant();
        Map<String, Object> model = new LinkedHashMap<>(facts);
        if (organizationId != null) {
            model.put("organizationId", organizationId);
            model.put("organizationName", directory.organizationName(organizationId));
        }
        model.put("occurredAt", e.occurredAt().toString());
        int planned = 0;
        for (DirectoryReplica.Recipient r : to) {
            String language = r.language() == null || r.language().isBlank() ? props.defaultLanguage() : r.language();
            boolean optedOut = !type.critical() && jdbc.sql("SELECT COUNT(*) FROM mail_opt_out WHERE email = :e")
                    .param("e", r.email().toLowerCase(java.util.Locale.ROOT)).query(Long.class).single() > 0;
            String messageId = "<" + UUID.nameUUIDFromBytes((e.eventId() + "|" + r.email()).getBytes(StandardCharsets.UTF_8))
                    + "@marketbill>";
            planned += jdbc.sql("""
                    INSERT INTO mail (event_id, recipient, mail_type, language, product_code, critical, model, state,
                        next_attempt_at, message_id, created_at, last_error)
                    VALUES (:event, :to, :type, :lang, :product, :critical, :model, :state, :now, :mid, :now, :why)
                    ON CONFLICT (event_id, recipient) DO NOTHING""")
                    .param("event", e.eventId()).param("to", r.email()).param("type", type.name()).param("lang", language)
                    .param("product", productCode).param("critical", type.critical())
                    .param("model", json.writeValueAsString(model)).param("state", optedOut ? "SKIPPED" : "PENDING")
                    .param("now", Timestamp.from(now)).param("mid", messageId)
                    .param("why", optedOut ? "the recipient opted out of optional mail" : null).update();
        }
        return planned;
    }

    /**
     * The subscription's product, for branding: from its SubscriptionOpened, or else from its SubscriptionBound, which
     * precedes binding.v1's other events for it on that topic (marketplace.subscriptions.v1 may not have been read).
     */
    private String product(EventEnvelope e) {
        return e.subscriptionId() == null ? null : jdbc.sql("""
                SELECT product_code FROM (
                    SELECT product_code, 0 AS source, occurred_at AS at FROM billing_change
                    WHERE subscription_id = :s AND product_code IS NOT NULL
                    UNION ALL
                    SELECT product_code, 1, bound_at FROM account_organization
                    WHERE subscription_id = :s AND product_code IS NOT NULL) known
                ORDER BY source, at DESC LIMIT 1""").param("s", e.subscriptionId()).query(String.class).optional()
                .orElse(null);
    }

    private static String instanceId(String subscriptionId) {
        return subscriptionId == null ? "" : subscriptionId.substring(subscriptionId.indexOf(':') + 1);
    }
}

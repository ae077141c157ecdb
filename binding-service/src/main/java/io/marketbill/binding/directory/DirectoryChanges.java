package io.marketbill.binding.directory;

import io.marketbill.binding.bindings.Bindings;
import io.marketbill.contracts.DirectoryEvent;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.MemberAdded;
import io.marketbill.contracts.MemberRemoved;
import io.marketbill.contracts.MemberRoleChanged;
import io.marketbill.contracts.OrganizationCreated;
import io.marketbill.contracts.OrganizationDeleted;
import io.marketbill.contracts.OrganizationRenamed;
import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UserUpdated;
import io.marketbill.messaging.codec.MalformedEventException;
import io.marketbill.messaging.inbox.InboundEvents;
import io.marketbill.messaging.outbox.Outbox;
import java.time.Clock;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every directory change goes through here, whether it comes from the vendor's platform ({@code directory.v1}) or
 * from the admin API and the seed. Local changes are applied at once and published to {@code directory.v1} through
 * the outbox (so notification-service learns them too); their echo from Kafka is dropped as already processed.
 */
@Component
public class DirectoryChanges {

    static final String PRODUCER = "binding-service";

    private final Directory directory;
    private final Bindings bindings;
    private final InboundEvents inbound;
    private final Outbox outbox;
    private final TransactionTemplate tx;
    private final Clock clock;

    DirectoryChanges(Directory directory, Bindings bindings, InboundEvents inbound, Outbox outbox,
                     TransactionTemplate tx, Clock clock) {
        this.directory = directory;
        this.bindings = bindings;
        this.inbound = inbound;
        this.outbox = outbox;
        this.tx = tx;
        this.clock = clock;
    }

    @KafkaListener(topics = Topics.DIRECTORY)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, this::apply);
    }

    /** Records a change made here; returns false when an event with this id was already applied. */
    public boolean record(UUID eventId, DirectoryEvent change) {
        validate(change);
        EventEnvelope event = EventEnvelope.ofDirectory(eventId, clock.instant(), PRODUCER, change);
        return Boolean.TRUE.equals(tx.execute(status -> {
            boolean applied = inbound.applyOnce(event, this::apply);
            if (applied) {
                outbox.append(Topics.DIRECTORY, keyOf(change), event);
            }
            return applied;
        }));
    }

    public boolean record(DirectoryEvent change) {
        return record(UUID.randomUUID(), change);
    }

    private void apply(EventEnvelope e) {
        // only directory events belong on this topic: another payload (a wrong producer) is ignored, as it always was
        if (!(e.payload() instanceof DirectoryEvent change)) {
            return;
        }
        validate(change);
        directory.apply(e);
        switch (change) {
            case OrganizationDeleted d -> bindings.onOrganizationDeleted(d.organizationId(), e.occurredAt());
            // a member leaving or losing admin undoes nothing: the binding outlives its binder (the organization pays)
            case MemberRemoved _, MemberRoleChanged _ -> { }
            // a new organization or member, a new name or address: nothing for the bindings to do
            case OrganizationCreated _, OrganizationRenamed _, MemberAdded _, UserUpdated _ -> { }
        }
    }

    static String keyOf(DirectoryEvent change) {
        return switch (change) {
            case UserUpdated u -> u.userId();
            case OrganizationCreated c -> c.organizationId();
            case OrganizationRenamed r -> r.organizationId();
            case OrganizationDeleted d -> d.organizationId();
            case MemberAdded m -> m.organizationId();
            case MemberRemoved m -> m.organizationId();
            case MemberRoleChanged m -> m.organizationId();
        };
    }

    /** Bad directory input is refused as a whole, with the reason; from Kafka it goes to the dead-letter topic. */
    static void validate(DirectoryEvent change) {
        switch (change) {
            case UserUpdated u -> {
                id("userId", u.userId());
                language(u.language());
                length("email", u.email(), 320);
                length("name", u.name(), 256);
            }
            case OrganizationCreated c -> {
                id("organizationId", c.organizationId());
                required("name", c.name());
                length("name", c.name(), 256);
                length("site", c.site(), 64);
            }
            case OrganizationRenamed r -> {
                id("organizationId", r.organizationId());
                required("name", r.name());
                length("name", r.name(), 256);
            }
            case OrganizationDeleted d -> id("organizationId", d.organizationId());
            case MemberAdded m -> {
                id("organizationId", m.organizationId());
                id("userId", m.userId());
                role(m.role());
                language(m.language());
                length("email", m.email(), 320);
                length("name", m.name(), 256);
            }
            case MemberRemoved m -> {
                id("organizationId", m.organizationId());
                id("userId", m.userId());
            }
            case MemberRoleChanged m -> {
                id("organizationId", m.organizationId());
                id("userId", m.userId());
                role(m.role());
            }
        }
    }

    private static void id(String field, String value) {
        required(field, value);
        if (value.length() > 128 || !value.strip().equals(value)) {
            throw new MalformedEventException(field + " must be at most 128 characters, without surrounding blanks");
        }
    }

    private static void required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new MalformedEventException(field + " is required");
        }
    }

    private static void length(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw new MalformedEventException(field + " must be at most " + max + " characters");
        }
    }

    private static void role(String role) {
        if (!Directory.ROLES.contains(role)) {
            throw new MalformedEventException("role must be ADMIN or MEMBER, not " + role);
        }
    }

    private static void language(String language) {
        if (language != null && !Directory.LANGUAGES.contains(language)) {
            throw new MalformedEventException("language must be zh-CN or en, not " + language);
        }
    }
}

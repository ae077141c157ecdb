package io.marketbill.notification.directory;

import org.springframework.context.ApplicationEventPublisher;

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
import io.marketbill.messaging.inbox.InboundEvents;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * What mail needs of the vendor's directory ({@code directory.v1}): organizations, their admins, each user's
 * address and language. binding-service owns the directory; this is a read copy kept by the same events.
 */
@Component
public class DirectoryReplica {

    /** Someone to mail: the address and the language to write in. */
    public record Recipient(String email, String language) {
    }

    /** Published (in the applying transaction) when an organization may have gained an admin with an address. */
    public record AdminsChanged(String organizationId) {
    }

    private final JdbcClient jdbc;
    private final InboundEvents inbound;
    private final ApplicationEventPublisher events;

    DirectoryReplica(JdbcClient jdbc, InboundEvents inbound, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.inbound = inbound;
        this.events = events;
    }

    @KafkaListener(topics = Topics.DIRECTORY)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, this::apply);
    }

    void apply(EventEnvelope e) {
        // only directory events belong on this topic: another payload (a wrong producer) is ignored, as it always was
        if (!(e.payload() instanceof DirectoryEvent event)) {
            return;
        }
        switch (event) {
            case OrganizationCreated o -> jdbc.sql("INSERT INTO organization (organization_id, name) VALUES (:o, :n) "
                            + "ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name")
                    .param("o", o.organizationId()).param("n", o.name()).update();
            case OrganizationRenamed o -> jdbc.sql("INSERT INTO organization (organization_id, name) VALUES (:o, :n) "
                            + "ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name")
                    .param("o", o.organizationId()).param("n", o.name()).update();
            case OrganizationDeleted o -> {
                jdbc.sql("DELETE FROM membership WHERE organization_id = :o").param("o", o.organizationId()).update();
                jdbc.sql("DELETE FROM organization WHERE organization_id = :o").param("o", o.organizationId()).update();
            }
            case MemberAdded m -> {
                user(m.userId(), m.email(), m.name(), m.language());
                jdbc.sql("""
                    INSERT INTO membership (organization_id, user_id, role) VALUES (:o, :u, :r)
                    ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role""")
                        .param("o", m.organizationId()).param("u", m.userId()).param("r", upper(m.role())).update();
                events.publishEvent(new AdminsChanged(m.organizationId()));
            }
            case MemberRemoved m -> jdbc.sql("DELETE FROM membership WHERE organization_id = :o AND user_id = :u")
                    .param("o", m.organizationId()).param("u", m.userId()).update();
            case MemberRoleChanged m -> {
                jdbc.sql("UPDATE membership SET role = :r WHERE organization_id = :o AND user_id = :u")
                        .param("o", m.organizationId()).param("u", m.userId()).param("r", upper(m.role())).update();
                events.publishEvent(new AdminsChanged(m.organizationId()));
            }
            case UserUpdated u -> {
                user(u.userId(), u.email(), u.name(), u.language());
                jdbc.sql("SELECT organization_id FROM membership WHERE user_id = :u AND role = 'ADMIN'")
                        .param("u", u.userId()).query(String.class).list()
                        .forEach(org -> events.publishEvent(new AdminsChanged(org)));
            }
        }
    }

    private void user(String id, String email, String name, String language) {
        jdbc.sql("""
                INSERT INTO directory_user (user_id, email, name, language) VALUES (:u, :e, :n, :l)
                ON CONFLICT (user_id) DO UPDATE SET email = COALESCE(EXCLUDED.email, directory_user.email),
                    name = COALESCE(EXCLUDED.name, directory_user.name),
                    language = COALESCE(EXCLUDED.language, directory_user.language)""")
                .param("u", id).param("e", email).param("n", name).param("l", language).update();
    }

    private static String upper(String role) {
        return role == null ? "MEMBER" : role.toUpperCase(java.util.Locale.ROOT);
    }

    /** The organization's admins with an address. */
    public List<Recipient> adminsOf(String organizationId) {
        return jdbc.sql("""
                SELECT u.email, u.language FROM membership m JOIN directory_user u ON u.user_id = m.user_id
                WHERE m.organization_id = :o AND m.role = 'ADMIN' AND u.email IS NOT NULL ORDER BY u.email""")
                .param("o", organizationId).query((rs, n) -> new Recipient(rs.getString(1), rs.getString(2))).list();
    }

    public String organizationName(String organizationId) {
        return jdbc.sql("SELECT name FROM organization WHERE organization_id = :o").param("o", organizationId)
                .query(String.class).optional().orElse(organizationId);
    }
}

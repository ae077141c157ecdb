package io.marketbill.binding.directory;

import io.marketbill.contracts.DirectoryEvent;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.MemberAdded;
import io.marketbill.contracts.MemberRemoved;
import io.marketbill.contracts.MemberRoleChanged;
import io.marketbill.contracts.OrganizationBilling;
import io.marketbill.contracts.OrganizationCreated;
import io.marketbill.contracts.OrganizationDeleted;
import io.marketbill.contracts.OrganizationRenamed;
import io.marketbill.contracts.UserUpdated;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The vendor's organizations, users and memberships as binding-service knows them (from {@code directory.v1} and
 * the admin API). Events may arrive in any order across organizations: a member of an organization not yet
 * created gets a placeholder organization that the creation then names.
 */
@Component
public class Directory {

    public static final Set<String> ROLES = Set.of("ADMIN", "MEMBER");
    public static final Set<String> LANGUAGES = Set.of("zh-CN", "en");

    /** One organization the user belongs to. */
    public record Membership(String organizationId, String organizationName, String site, String role,
                             boolean frozen) {
        public boolean admin() {
            return "ADMIN".equals(role);
        }
    }

    /** An organization and how it pays now ({@code billing.state}: what its members and operators are shown). */
    public record Organization(String organizationId, String name, String site, boolean deleted,
                               OrganizationBilling billing, OrganizationBilling.State state) {
    }

    public record Member(String userId, String role, String email, String name, String language) {
    }

    public record User(String userId, String email, String name, String language) {
    }

    private final JdbcClient jdbc;

    Directory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Applies one directory change; must run inside the caller's transaction. */
    public void apply(EventEnvelope e) {
        Timestamp at = Timestamp.from(e.occurredAt());
        DirectoryEvent p = (DirectoryEvent) e.payload();
        switch (p) {
            case OrganizationCreated c -> jdbc.sql("""
                    INSERT INTO organization (organization_id, name, site, updated_at) VALUES (:id, :name, :site, :at)
                    ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name, site = EXCLUDED.site,
                        deleted = FALSE, updated_at = EXCLUDED.updated_at""")
                    .param("id", c.organizationId()).param("name", c.name()).param("site", c.site()).param("at", at)
                    .update();
            case OrganizationRenamed r -> {
                ensureOrganization(r.organizationId(), at);
                jdbc.sql("UPDATE organization SET name = :name, updated_at = :at WHERE organization_id = :id")
                        .param("id", r.organizationId()).param("name", r.name()).param("at", at).update();
            }
            case OrganizationDeleted d -> {
                jdbc.sql("UPDATE organization SET deleted = TRUE, updated_at = :at WHERE organization_id = :id")
                        .param("id", d.organizationId()).param("at", at).update();
                jdbc.sql("DELETE FROM membership WHERE organization_id = :id").param("id", d.organizationId())
                        .update();
            }
            case MemberAdded m -> {
                ensureOrganization(m.organizationId(), at);
                upsertUser(m.userId(), m.email(), m.name(), m.language(), at);
                jdbc.sql("""
                    INSERT INTO membership (organization_id, user_id, role, updated_at) VALUES (:org, :user, :role, :at)
                    ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role,
                        updated_at = EXCLUDED.updated_at""")
                        .param("org", m.organizationId()).param("user", m.userId()).param("role", m.role())
                        .param("at", at).update();
            }
            case MemberRemoved m -> jdbc.sql("DELETE FROM membership WHERE organization_id = :org AND user_id = :user")
                    .param("org", m.organizationId()).param("user", m.userId()).update();
            case MemberRoleChanged m -> jdbc.sql("UPDATE membership SET role = :role, updated_at = :at "
                            + "WHERE organization_id = :org AND user_id = :user")
                    .param("org", m.organizationId()).param("user", m.userId()).param("role", m.role())
                    .param("at", at).update();
            case UserUpdated u -> upsertUser(u.userId(), u.email(), u.name(), u.language(), at);
        }
    }

    private void ensureOrganization(String id, Timestamp at) {
        jdbc.sql("INSERT INTO organization (organization_id, name, updated_at) VALUES (:id, :id, :at) "
                + "ON CONFLICT (organization_id) DO NOTHING").param("id", id).param("at", at).update();
    }

    private void upsertUser(String id, String email, String name, String language, Timestamp at) {
        // a member event without contact details must not erase what a UserUpdated said
        jdbc.sql("""
                INSERT INTO directory_user (user_id, email, name, language, updated_at)
                VALUES (:id, :email, :name, COALESCE(:language, 'zh-CN'), :at)
                ON CONFLICT (user_id) DO UPDATE SET email = COALESCE(EXCLUDED.email, directory_user.email),
                    name = COALESCE(EXCLUDED.name, directory_user.name),
                    language = COALESCE(:language, directory_user.language), updated_at = EXCLUDED.updated_at""")
                .param("id", id).param("email", email).param("name", name).param("language", language).param("at", at)
                .update();
    }

    /** The organizations the user belongs to (deleted ones excluded), by name. */
    public List<Membership> organizationsOf(String userId) {
        return jdbc.sql("""
                SELECT o.organization_id, o.name, o.site, m.role, o.frozen FROM membership m
                JOIN organization o ON o.organization_id = m.organization_id
                WHERE m.user_id = :user AND NOT o.deleted ORDER BY o.name, o.organization_id""")
                .param("user", userId)
                .query((rs, i) -> new Membership(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getBoolean(5)))
                .list();
    }

    public Optional<Membership> membership(String organizationId, String userId) {
        return organizationsOf(userId).stream().filter(m -> m.organizationId().equals(organizationId)).findFirst();
    }

    public Optional<Organization> organization(String organizationId) {
        return jdbc.sql("SELECT * FROM organization WHERE organization_id = :id").param("id", organizationId)
                .query((rs, i) -> {
                    OrganizationBilling billing = billing(rs);
                    return new Organization(rs.getString("organization_id"), rs.getString("name"),
                            rs.getString("site"), rs.getBoolean("deleted"), billing, billing.state());
                })
                .optional();
    }

    /** How the organization of this {@code organization} row pays. */
    public static OrganizationBilling billing(ResultSet rs) throws SQLException {
        Timestamp deleteAt = rs.getTimestamp("deployments_delete_at");
        Timestamp lastBoundAt = rs.getTimestamp("last_bound_at");
        return new OrganizationBilling(rs.getString("billing_channel"), rs.getString("billing_marketplace"),
                rs.getString("billing_account_id"), rs.getString("billing_subscription_id"), rs.getBoolean("frozen"),
                rs.getBoolean("deployments_stopped"), deleteAt == null ? null : deleteAt.toInstant(),
                rs.getString("last_bound_subscription_id"), lastBoundAt == null ? null : lastBoundAt.toInstant());
    }

    public List<Member> members(String organizationId) {
        return jdbc.sql("""
                SELECT m.user_id, m.role, u.email, u.name, u.language FROM membership m
                LEFT JOIN directory_user u ON u.user_id = m.user_id
                WHERE m.organization_id = :id ORDER BY m.user_id""")
                .param("id", organizationId)
                .query((rs, i) -> new Member(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5)))
                .list();
    }

    public Optional<User> user(String userId) {
        return jdbc.sql("SELECT user_id, email, name, language FROM directory_user WHERE user_id = :id")
                .param("id", userId)
                .query((rs, i) -> new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .optional();
    }
}

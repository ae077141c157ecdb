package io.marketbill.messaging.exclusive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * Runs a scheduled job on one replica at a time: the job runs only while this replica holds a PostgreSQL
 * session advisory lock named after the job (per schema), on a connection kept for the job's duration. If the
 * replica dies, the session ends and the lock with it. For jobs that span several transactions (closing hours,
 * sending a ledger), where one transaction-scoped lock would not do.
 */
public class ExclusiveRuns {

    private final DataSource dataSource;

    public ExclusiveRuns(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * For a scheduler's tick: runs the job if no other replica is running it; a failure (the database is
     * away, say) is logged and the next tick tries again.
     */
    public void tick(String job, Runnable work) {
        try {
            runExclusively(job, () -> {
                work.run();
                return Boolean.TRUE;
            });
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ExclusiveRuns.class).warn("{} failed, will try again: {}", job, e.toString());
        }
    }

    /** Runs the job if no other replica is running it; returns empty when another one is. */
    public <T> java.util.Optional<T> runExclusively(String job, Supplier<T> work) {
        try (Connection c = dataSource.getConnection()) {
            if (!lock(c, "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.' || ?))", job)) {
                return java.util.Optional.empty();
            }
            try {
                return java.util.Optional.ofNullable(work.get());
            } finally {
                lock(c, "SELECT pg_advisory_unlock(hashtext(current_schema() || '.' || ?))", job);
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("cannot take the lock of job " + job, e);
        }
    }

    private static boolean lock(Connection c, String sql, String job) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}

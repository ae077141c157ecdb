package io.marketbill.messaging.config;

import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.messaging.codec.MalformedEventException;
import io.marketbill.messaging.deadletter.DeadLetterController;
import io.marketbill.messaging.deadletter.DeadLetters;
import io.marketbill.messaging.inbox.InboundEvents;
import io.marketbill.messaging.outbox.Outbox;
import io.marketbill.messaging.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.env.Environment;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The machinery of services that own state: outbox and relay, idempotent consumption, bounded retries then
 * the dead-letter topic, and the dead-letter API.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
        "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
        "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration"})
@ConditionalOnClass(JdbcClient.class)
@org.springframework.boot.context.properties.EnableConfigurationProperties(MessagingProperties.class)
@ConditionalOnBean(DataSource.class)
public class DatabaseMessagingAutoConfiguration {

    private static String group(Environment env) {
        return env.getProperty("spring.kafka.consumer.group-id", env.getProperty("spring.application.name", "app"));
    }

    @Bean
    OutboxRelay outboxRelay(DataSource dataSource, PlatformTransactionManager txm,
                            KafkaTemplate<String, String> kafka, MessagingProperties props, MeterRegistry meters) {
        return new OutboxRelay(JdbcClient.create(dataSource), new TransactionTemplate(txm), kafka,
                props.getOutboxBatchSize(), props.getOutboxPollInterval(), props.getOutboxSendTimeout(), meters);
    }

    @Bean
    io.marketbill.messaging.exclusive.ExclusiveRuns exclusiveRuns(DataSource dataSource) {
        return new io.marketbill.messaging.exclusive.ExclusiveRuns(dataSource);
    }

    @Bean
    Outbox outbox(DataSource dataSource, EventCodec codec, OutboxRelay relay) {
        return new Outbox(JdbcClient.create(dataSource), codec, relay);
    }

    @Bean
    InboundEvents inboundEvents(EventCodec codec, DataSource dataSource, PlatformTransactionManager txm,
                                MeterRegistry meters, Environment env) {
        return new InboundEvents(codec, JdbcClient.create(dataSource), new TransactionTemplate(txm), meters, group(env));
    }

    @Bean
    DeadLetters deadLetters(DataSource dataSource, KafkaTemplate<String, String> kafka, MeterRegistry meters,
                            Environment env) {
        return new DeadLetters(JdbcClient.create(dataSource), kafka, group(env), meters);
    }

    /** Picked up by Boot's listener container factory. */
    @Bean
    DefaultErrorHandler messagingErrorHandler(DeadLetters deadLetters, MessagingProperties props) {
        ExponentialBackOffWithMaxRetries bounded = new ExponentialBackOffWithMaxRetries(props.getMaxAttempts() - 1);
        bounded.setInitialInterval(props.getInitialRetryInterval().toMillis());
        bounded.setMultiplier(2.0);
        bounded.setMaxInterval(props.getMaxRetryInterval().toMillis());
        FixedBackOff untilTheDatabaseIsBack =
                new FixedBackOff(props.getInfrastructureRetryInterval().toMillis(), FixedBackOff.UNLIMITED_ATTEMPTS);
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters, bounded);
        // an unreachable database is not the record's fault: keep it and retry, never dead-letter it
        handler.setBackOffFunction((record, ex) -> isInfrastructure(ex) ? untilTheDatabaseIsBack : null);
        handler.addNotRetryableExceptions(MalformedEventException.class);
        return handler;
    }

    static boolean isInfrastructure(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotGetJdbcConnectionException || t instanceof CannotCreateTransactionException
                    || t instanceof DataAccessResourceFailureException || t instanceof TransientDataAccessException) {
                return true;
            }
        }
        return false;
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    DeadLetterController deadLetterController(DeadLetters deadLetters) {
        return new DeadLetterController(deadLetters);
    }
}

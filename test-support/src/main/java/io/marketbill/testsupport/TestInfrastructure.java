package io.marketbill.testsupport;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Points a Spring test context at real infrastructure: a fresh PostgreSQL database and the module's
 * in-process KRaft broker ({@link KafkaTestBroker}, enabled in the module's junit-platform.properties), and the
 * test identity provider ({@link TestTokens}): every service's API takes its tokens, and its own client gets one
 * there.
 */
public final class TestInfrastructure {

    private TestInfrastructure() {
    }

    public static TestDatabases.Database register(DynamicPropertyRegistry registry) {
        TestDatabases.Database db = TestDatabases.fresh();
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::user);
        registry.add("spring.datasource.password", db::password);
        registerKafka(registry);
        TestTokens.register(registry);
        TestTokens.registerClient(registry);
        return db;
    }

    public static void registerKafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", TestInfrastructure::kafkaBrokers);
    }

    public static String kafkaBrokers() {
        String brokers = System.getProperty(KafkaTestBroker.BROKERS_PROPERTY);
        if (brokers == null) {
            throw new IllegalStateException("no test Kafka broker: set " + KafkaTestBroker.ENABLED_PARAMETER
                    + "=true in src/test/resources/junit-platform.properties (or it failed to start: see the log)");
        }
        return brokers;
    }
}

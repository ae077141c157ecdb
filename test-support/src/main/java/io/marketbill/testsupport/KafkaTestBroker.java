package io.marketbill.testsupport;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * One real KRaft broker (Kafka's own test kit, combined broker and controller) for a whole test JVM, started
 * before the first test when the module's {@code junit-platform.properties} says
 * {@code marketbill.test.kafka.enabled=true}, stopped after the last. Its address is the system property
 * {@value #BROKERS_PROPERTY}, which {@link TestInfrastructure} hands to each Spring context.
 *
 * <p>Why not spring-kafka-test's global embedded broker: spring-kafka-test 4.1 calls
 * {@code KafkaClusterTestKit.clientProperties()}, which Kafka 4.3's test kit no longer has (it has
 * {@code bootstrapServers()}), so with the Kafka 4.3 clients every test would fail with a
 * {@code NoSuchMethodError}. This listener uses the test kit of the Kafka version the project runs.
 */
public final class KafkaTestBroker implements TestExecutionListener {

    public static final String ENABLED_PARAMETER = "marketbill.test.kafka.enabled";
    public static final String PARTITIONS_PARAMETER = "marketbill.test.kafka.partitions";
    public static final String BROKERS_PROPERTY = "marketbill.test.kafka.brokers";

    /** On two busy cores the KRaft quorum can miss its first start; spring-kafka retried too. */
    private static final int ATTEMPTS = 3;

    private KafkaClusterTestKit cluster;

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        var parameters = plan.getConfigurationParameters();
        if (!parameters.getBoolean(ENABLED_PARAMETER).orElse(false) || cluster != null) {
            return;
        }
        int partitions = parameters.get(PARTITIONS_PARAMETER, Integer::parseInt).orElse(3);
        // a broker that fails must fail the test, not end the JVM
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("the test broker tried to exit (" + status + "): " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("the test broker tried to halt (" + status + "): " + message);
        });
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                cluster = start(brokerSettings(partitions));
                System.setProperty(BROKERS_PROPERTY, cluster.bootstrapServers());
                return;
            } catch (Exception e) {
                last = new IllegalStateException("the test Kafka broker did not start (attempt " + attempt + " of "
                        + ATTEMPTS + "): " + e.getMessage(), e);
                stop();
            }
        }
        throw last;
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        stop();
    }

    /** One broker: every replication factor 1, topics made on first use, no rebalance delay. */
    static Map<String, String> brokerSettings(int partitions) {
        Map<String, String> s = new TreeMap<>();
        s.put("auto.create.topics.enable", "true");
        s.put("delete.topic.enable", "true");
        s.put("num.partitions", Integer.toString(partitions));
        s.put("offsets.topic.replication.factor", "1");
        s.put("transaction.state.log.replication.factor", "1");
        s.put("transaction.state.log.min.isr", "1");
        s.put("group.initial.rebalance.delay.ms", "0");
        return s;
    }

    private static KafkaClusterTestKit start(Map<String, String> settings) throws Exception {
        // the newest production metadata version, as a real cluster of this Kafka version starts with (the test
        // kit's default is the newest one under development)
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        settings.forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            kit.close();
            throw e;
        }
    }

    private void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                // the JVM is about to end; nothing of the broker is kept
            }
            cluster = null;
            System.clearProperty(BROKERS_PROPERTY);
        }
    }
}

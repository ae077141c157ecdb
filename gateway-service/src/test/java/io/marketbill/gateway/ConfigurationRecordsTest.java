package io.marketbill.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.messaging.config.ProductionSettings;
import io.marketbill.testsupport.ConfigurationRecords;
import org.junit.jupiter.api.Test;

/** Every configuration record of gateway-service that carries a secret hides it in toString() (a log line or exception). */
class ConfigurationRecordsTest {

    @Test
    void noConfigurationRecordShowsASecret() {
        var checked = ConfigurationRecords.assertSecretsHidden("io.marketbill.gateway", ProductionSettings::isSecret);
        assertThat(checked).map(Class::getSimpleName).as("the records with secrets")
                .containsExactlyInAnyOrder("AliyunProperties", "AwsProperties", "AwsAccount", "EventBridge", "ProducerEntry");
    }
}

package io.marketbill.binding;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.messaging.config.ProductionSettings;
import io.marketbill.testsupport.ConfigurationRecords;
import org.junit.jupiter.api.Test;

/** Every configuration record of binding-service that carries a secret hides it in toString() (a log line or exception). */
class ConfigurationRecordsTest {

    @Test
    void noConfigurationRecordShowsASecret() {
        var checked = ConfigurationRecords.assertSecretsHidden("io.marketbill.binding", ProductionSettings::isSecret);
        // none today; a new one is held to the rule as it appears
        assertThat(checked).map(Class::getSimpleName).as("the records with secrets")
                .isEmpty();
    }
}

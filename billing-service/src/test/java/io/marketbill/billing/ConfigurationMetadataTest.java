package io.marketbill.billing;

import io.marketbill.testsupport.ConfigurationMetadata;
import org.junit.jupiter.api.Test;

/** Every {@code marketbill.*} key of this service is in its configuration metadata, described, with its default. */
class ConfigurationMetadataTest {

    @Test
    void everyMarketbillKeyIsDescribed() {
        ConfigurationMetadata.assertComplete("application.yml");
    }
}

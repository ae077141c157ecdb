package io.marketbill.security;

import io.marketbill.testsupport.ConfigurationMetadata;
import org.junit.jupiter.api.Test;

/** Every {@code marketbill.security.*} key this module's defaults set is in its configuration metadata. */
class ConfigurationMetadataTest {

    @Test
    void everyMarketbillKeyIsDescribed() {
        ConfigurationMetadata.assertComplete("marketbill-security.yml");
    }
}

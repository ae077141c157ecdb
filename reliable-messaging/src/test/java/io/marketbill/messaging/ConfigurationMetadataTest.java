package io.marketbill.messaging;

import io.marketbill.testsupport.ConfigurationMetadata;
import org.junit.jupiter.api.Test;

/**
 * Every {@code marketbill.*} key this module reads (the production secrets check's lists, the dead-letter path,
 * {@code marketbill.messaging.*}) is in its configuration metadata, so that each service's IDE completes and
 * documents it.
 */
class ConfigurationMetadataTest {

    @Test
    void everyMarketbillKeyIsDescribed() {
        ConfigurationMetadata.assertComplete("marketbill-messaging.yml");
    }
}

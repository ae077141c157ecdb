package io.marketbill.simulator.aws;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How strict the simulated AWS Marketplace Metering Service is, beyond what every call checks.
 *
 * @param window           the time-window profile of BatchMeterUsage ({@link MeteringWindow}); default by
 *                         {@code simulator.aws.region}: LEGACY_6H in cn-* regions, GLOBAL elsewhere; also switchable at
 *                         run time with {@code PUT /sim/aws/metering/window}
 * @param futureTolerance  how far in the future a record's Timestamp may lie (default 0: none)
 * @param unsubscribeGrace how long after {@code unsubscribe-pending} metering is still accepted (default 1 h, per the
 *                         SaaS subscription guide)
 * @param listings         per product code, the listing's metering dimensions: {@code simulator.aws.metering.listings.
 *                         <product>.dimensions=cu_hours,storage_gb_hours}; a product without one accepts any dimension
 *                         (also settable with {@code PUT /sim/aws/listings/{productCode}})
 */
@ConfigurationProperties("simulator.aws.metering")
record AwsMeteringProperties(MeteringWindow window, Duration futureTolerance, Duration unsubscribeGrace,
                             Map<String, Listing> listings) {

    /** @param dimensions the dimension names (API keys) of the listing's pricing */
    record Listing(List<String> dimensions) {
        Listing {
            dimensions = dimensions == null ? List.of() : List.copyOf(dimensions);
        }
    }

    AwsMeteringProperties {
        futureTolerance = futureTolerance == null ? Duration.ZERO : futureTolerance;
        unsubscribeGrace = unsubscribeGrace == null ? Duration.ofHours(1) : unsubscribeGrace;
        listings = listings == null ? Map.of() : Map.copyOf(listings);
    }
}

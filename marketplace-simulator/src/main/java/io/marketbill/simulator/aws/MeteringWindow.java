package io.marketbill.simulator.aws;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * How far back (and forward) BatchMeterUsage accepts a record's {@code Timestamp}; one record outside refuses the whole
 * call with {@code TimestampOutOfBoundsException} ("if any of the records are outside of the allowed range, the entire
 * batch is not processed", https://github.com/aws/aws-sdk-js-v3/blob/main/codegen/sdk-codegen/aws-models/marketplace-metering.json).
 * No profile accepts a timestamp in the future beyond {@code futureTolerance} (0 by default): usage is metered after it
 * happened, and the documents give no allowance for clock skew.
 */
enum MeteringWindow {
    /**
     * The current model (BatchMeterUsage documentation,
     * https://docs.aws.amazon.com/marketplace/latest/APIReference/API_marketplace-metering_BatchMeterUsage.html):
     * "Usage records aren't accepted 24 hours or more after an event ... We accept usage records for the previous
     * billing month until 06:00 UTC on the first day of the next month."
     */
    GLOBAL,
    /**
     * AWS Marketplace China's SaaS guide (reportmeteredrecords): "AWS Marketplace can only accept records for up to an
     * hour in the past", http://awsmpcnsaasguideline.s3-website.cn-northwest-1.amazonaws.com.cn/en/api-intergration/reportmeteredrecords.html.
     * Opt-in ({@code simulator.aws.metering.window=CHINA_1H}): which rule aws-cn enforces today is not documented.
     */
    CHINA_1H,
    /**
     * The older model's operation text ("usage records for up to six hours in the past", botocore
     * meteringmarketplace/2016-01-14/service-2.json, https://github.com/boto/botocore): the simulator's rule before
     * the profiles, still the default for aws-cn regions.
     */
    LEGACY_6H;

    /** The default for a region: the China partition keeps the old 6 h rule, the others follow the current model. */
    static MeteringWindow forRegion(String region) {
        return region.startsWith("cn-") ? LEGACY_6H : GLOBAL;
    }

    Duration back() {
        return switch (this) {
            case GLOBAL -> Duration.ofHours(24);
            case CHINA_1H -> Duration.ofHours(1);
            case LEGACY_6H -> Duration.ofHours(6);
        };
    }

    /**
     * Why a record at {@code at} is refused at {@code now}, or empty when it is accepted.
     *
     * @param fixed when not null, a window of this length replaces the profile's (the old
     *              {@code simulator.aws.metering-window} setting)
     */
    Optional<String> refusal(Instant at, Instant now, Duration futureTolerance, Duration fixed) {
        if (at.isAfter(now.plus(futureTolerance))) {
            return Optional.of("a record at " + at + " is in the future");
        }
        Duration back = fixed != null ? fixed : back();
        // "aren't accepted 24 hours or more after": exactly the limit is already too old
        if (!at.isAfter(now.minus(back))) {
            return Optional.of("a record at " + at + " is " + back.toHours() + " h or more in the past");
        }
        if (this == GLOBAL && fixed == null) {
            YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
            Instant monthStart = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            if (at.isBefore(monthStart) && !now.isBefore(monthStart.plus(Duration.ofHours(6)))) {
                return Optional.of("a record of the previous month at " + at + " arrived after 06:00 UTC on the 1st");
            }
        }
        return Optional.empty();
    }
}

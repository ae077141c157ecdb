package io.marketbill.gateway.aliyun;

import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code marketbill.aliyun.*}.
 *
 * @param spiKey          the seller account's SPI security key (seller console overview page); a secret,
 *                        required. Environment: ALIYUN_SPI_KEY.
 * @param timeZone        the zone of the marketplace's {@code yyyy-MM-dd HH:mm:ss} strings (UNVERIFIED in
 *                        the docs). Environment: ALIYUN_TIME_ZONE.
 * @param successAsString answer {@code {"success":"true"}} as in every doc example (true), or a JSON boolean;
 *                        which one the marketplace requires is UNVERIFIED
 * @param freeLoginWindow how far a free-login {@code timeStamp} may be from now (the docs leave it to the ISV)
 */
@ConfigurationProperties("marketbill.aliyun")
public record AliyunProperties(String spiKey, ZoneId timeZone, Boolean successAsString,
                               java.time.Duration freeLoginWindow) {

    public AliyunProperties {
        if (spiKey == null || spiKey.isBlank()) {
            throw new IllegalStateException("marketbill.aliyun.spi-key (env ALIYUN_SPI_KEY) is required: "
                    + "the SPI security key of the seller account");
        }
        timeZone = timeZone == null ? ZoneId.of("Asia/Shanghai") : timeZone;
        successAsString = successAsString == null ? Boolean.TRUE : successAsString;
        freeLoginWindow = freeLoginWindow == null ? java.time.Duration.ofMinutes(5) : freeLoginWindow;
    }

    @Override
    public String toString() {
        return "AliyunProperties[spiKey=<secret>, timeZone=" + timeZone + ", successAsString=" + successAsString
                + ", freeLoginWindow=" + freeLoginWindow + "]";
    }
}

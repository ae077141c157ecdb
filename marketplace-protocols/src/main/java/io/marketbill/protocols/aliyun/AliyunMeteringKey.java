package io.marketbill.protocols.aliyun;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The billing-item keys ({@code Entities[].Key}) of Market {@code PushMeteringData}, and how Alibaba converts a
 * pushed {@code Value} before it multiplies it by the listing's price. Source: the {@code Metering} parameter's
 * documentation in Alibaba's own SDK ({@code aliyun/alibabacloud-java-sdk}, market-20151101,
 * {@code PushMeteringDataRequest}), which also says the resulting fee keeps two decimals and drops the rest, and the
 * PushMeteringData API page (help.aliyun.com/zh/marketplace/api-pushmeteringdata):
 * <ul>
 *   <li>{@code Period}: seconds, billed per hour (1800 pushed at ¥1/hour bills ¥0.50);</li>
 *   <li>{@code Storage}: bytes, billed per MB (÷ 1024²);</li>
 *   <li>{@code NetworkOut}, {@code NetworkIn}: bits, billed per Mb (÷ 1024², as the document's example computes);</li>
 *   <li>{@code KTokens}: tokens, billed per thousand;</li>
 *   <li>the others are billed as pushed: counts ({@code Frequency}, {@code Unit}, {@code Character},
 *       {@code DailyActiveUser}, {@code Suit}), minutes ({@code PeriodMin}), cores ({@code VirtualCpu}) and GB
 *       ({@code Memory}, {@code StorageGigaByte}).</li>
 * </ul>
 * The marketplace simulator applies these conversions; the vendor's catalog allows only the keys billed as pushed,
 * since marketbill reports whole listing units.
 */
public enum AliyunMeteringKey {
    FREQUENCY("Frequency", 1),
    PERIOD("Period", 3600),
    STORAGE("Storage", 1024 * 1024),
    NETWORK_OUT("NetworkOut", 1024 * 1024),
    NETWORK_IN("NetworkIn", 1024 * 1024),
    CHARACTER("Character", 1),
    DAILY_ACTIVE_USER("DailyActiveUser", 1),
    PERIOD_MIN("PeriodMin", 1),
    VIRTUAL_CPU("VirtualCpu", 1),
    UNIT("Unit", 1),
    MEMORY("Memory", 1),
    K_TOKENS("KTokens", 1000),
    SUIT("Suit", 1),
    STORAGE_GIGA_BYTE("StorageGigaByte", 1);

    private final String key;
    private final long divisor;

    AliyunMeteringKey(String key, long divisor) {
        this.key = key;
        this.divisor = divisor;
    }

    /** The key as it is written in a push, e.g. {@code Unit}. */
    public String key() {
        return key;
    }

    /** Whether Alibaba bills the pushed value as it is (no conversion before the price). */
    public boolean billedAsPushed() {
        return divisor == 1;
    }

    /**
     * What Alibaba charges for a pushed value at the listing's price per billed unit, in yuan: value ÷ divisor ×
     * price, keeping two decimals and dropping the rest (the fee is never rounded up).
     */
    public BigDecimal fee(long pushedValue, BigDecimal yuanPerBilledUnit) {
        return BigDecimal.valueOf(pushedValue).multiply(yuanPerBilledUnit)
                .divide(BigDecimal.valueOf(divisor), 2, RoundingMode.DOWN);
    }

    /** How many pushed values make one billed unit of this key (1 for the keys billed as pushed). */
    public long divisor() {
        return divisor;
    }

    public static Optional<AliyunMeteringKey> of(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
    }

    /**
     * Whether {@code meteringAssit} has the documented shape of a billing item of this key and product:
     * {@code <product code>-<Key>-<n>}, e.g. {@code cmapi00060317-PeriodMin-4}; the number is given when the
     * product is published.
     */
    public boolean isItemOf(String productCode, String meteringAssit) {
        return meteringAssit != null
                && meteringAssit.matches(Pattern.quote(productCode + "-" + key + "-") + "[0-9]+");
    }
}

package io.marketbill.protocols.aliyun;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The conversions against the worked examples of Alibaba's own PushMeteringData documentation. */
class AliyunMeteringKeyTest {

    @Test
    void theDocumentedExamplesBillWhatTheDocumentSays() {
        // "push usage of 1800 for the period 19:00-20:00 and the billing price is 1 CNY/hour ... 0.5 CNY"
        assertThat(AliyunMeteringKey.PERIOD.fee(1800, BigDecimal.ONE)).isEqualByComparingTo("0.50");
        // "push usage of 524288 ... 1 CNY/MB ... 0.5 CNY" (Storage) and the same for NetworkOut per Mb
        assertThat(AliyunMeteringKey.STORAGE.fee(524288, BigDecimal.ONE)).isEqualByComparingTo("0.50");
        assertThat(AliyunMeteringKey.NETWORK_OUT.fee(524288, BigDecimal.ONE)).isEqualByComparingTo("0.50");
        // "1500 tokens ... 1 CNY/thousand tokens ... 1.5 CNY"
        assertThat(AliyunMeteringKey.K_TOKENS.fee(1500, BigDecimal.ONE)).isEqualByComparingTo("1.50");
    }

    @Test
    void feesKeepTwoDecimalsAndDropTheRest() {
        assertThat(AliyunMeteringKey.UNIT.fee(1875, new BigDecimal("0.001"))).isEqualByComparingTo("1.87");
        assertThat(AliyunMeteringKey.UNIT.fee(500, new BigDecimal("0.001"))).isEqualByComparingTo("0.50");
        assertThat(AliyunMeteringKey.UNIT.fee(9, new BigDecimal("0.001"))).isEqualByComparingTo("0.00");
        // a third of a yuan is not rounded up
        assertThat(AliyunMeteringKey.PERIOD.fee(1200, BigDecimal.ONE)).isEqualByComparingTo("0.33");
    }

    @Test
    void onlyCountsMinutesCoresAndGigabytesAreBilledAsPushed() {
        assertThat(AliyunMeteringKey.of("Unit")).contains(AliyunMeteringKey.UNIT);
        assertThat(AliyunMeteringKey.of("Period").orElseThrow().billedAsPushed()).isFalse();
        assertThat(AliyunMeteringKey.of("StorageGigaByte").orElseThrow().billedAsPushed()).isTrue();
        assertThat(AliyunMeteringKey.of("unit")).as("keys are case-sensitive").isEmpty();
    }

    @Test
    void aBillingItemNamesItsProductAndKey() {
        assertThat(AliyunMeteringKey.UNIT.isItemOf("cmgj00063418", "cmgj00063418-Unit-1")).isTrue();
        assertThat(AliyunMeteringKey.UNIT.isItemOf("cmgj00063418", "cmgj00069406-Unit-1")).isFalse();
        assertThat(AliyunMeteringKey.UNIT.isItemOf("cmgj00063418", "cmgj00063418-Frequency-1")).isFalse();
        assertThat(AliyunMeteringKey.UNIT.isItemOf("cmgj00063418", "cmgj00063418-Unit-")).isFalse();
        assertThat(AliyunMeteringKey.UNIT.isItemOf("cmgj.0063418", "cmgjx0063418-Unit-1")).isFalse();
    }
}

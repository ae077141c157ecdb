package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrialRulesTest {

    @Test
    void awsPricesItsTrialsItselfAlibabaTrialsAreNotCharged() {
        assertThat(TrialRules.zeroRated("aws", true)).isFalse();
        assertThat(TrialRules.zeroRated("aliyun", true)).isTrue();
        assertThat(TrialRules.zeroRated("aliyun", false)).isFalse();
    }

    @Test
    void anAlibabaRenewalEndsTheTrialUnlessSwitchedOff() {
        assertThat(TrialRules.endsTrial("aliyun", "RENEWED", true)).isTrue();
        assertThat(TrialRules.endsTrial("aliyun", "RENEWED", false)).isFalse();
        assertThat(TrialRules.endsTrial("aliyun", "UPGRADED", true)).isFalse();
        assertThat(TrialRules.endsTrial("aws", "RENEWED", true)).isFalse();
    }
}

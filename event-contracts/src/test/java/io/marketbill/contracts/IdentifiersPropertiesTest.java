package io.marketbill.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class IdentifiersPropertiesTest {

    @Property
    void sameNaturalKeyGivesSameEventId(@ForAll String a, @ForAll String b) {
        assertThat(EventIds.fromNaturalKey("aliyun", a, b)).isEqualTo(EventIds.fromNaturalKey("aliyun", a, b));
    }

    @Property
    void movingTheSeparatorChangesTheEventId(@ForAll @StringLength(min = 1, max = 20) String a,
                                             @ForAll @StringLength(min = 1, max = 20) String b) {
        assertThat(EventIds.fromNaturalKey(a + "|" + b, "x")).isNotEqualTo(EventIds.fromNaturalKey(a, b + "|x"));
        assertThat(EventIds.fromNaturalKey(a + b)).isNotEqualTo(EventIds.fromNaturalKey(a, b));
    }

    @Property
    void aliyunIdsRoundTripTheirMarketplace(@ForAll @NumericChars @AlphaChars @StringLength(min = 1, max = 64) String id) {
        String subscriptionId = SubscriptionIds.aliyun(id);
        assertThat(subscriptionId).isEqualTo("aliyun:" + id);
        assertThat(SubscriptionIds.marketplaceOf(subscriptionId)).isEqualTo(Marketplace.ALIYUN);
    }

    @Test
    void awsIdsUseTheLicenseIdWithOrWithoutArnPrefix() {
        assertThat(SubscriptionIds.aws("123456789012",
                "arn:aws:license-manager::123456789012:license:l-0123456789abcdef"))
                .isEqualTo("aws:123456789012:l-0123456789abcdef");
        assertThat(SubscriptionIds.aws("123456789012", "aws:license-manager:us-east-1:123:license/l-abc"))
                .isEqualTo("aws:123456789012:l-abc");
        assertThatThrownBy(() -> SubscriptionIds.aws("123456789012", "arn:aws:s3:::bucket"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blankOrUnprintableIdsAreRejected() {
        assertThatThrownBy(() -> SubscriptionIds.aliyun(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubscriptionIds.aliyun("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubscriptionIds.marketplaceOf("nocolon")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubscriptionIds.marketplaceOf("gcp:1")).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.marketbill.binding.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BindAttemptsTest {

    private final BindAttempts limits = new BindAttempts(3, 5, Duration.ofMinutes(15));

    @Test
    void aUserOrAnOrganizationThatReachedItsLimitWaits() {
        assertThat(limits.exhausted(2, 4)).isFalse();
        assertThat(limits.exhausted(3, 0)).as("the user's own limit").isTrue();
        assertThat(limits.exhausted(0, 5)).as("the organization's, whoever tried").isTrue();
    }
}

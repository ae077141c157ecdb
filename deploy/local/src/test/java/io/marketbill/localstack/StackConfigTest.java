package io.marketbill.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackConfigTest {

    @Test
    void shortCloseTimingsAreTakenAndAWrongOneIsRefusedByName() {
        StackConfig c = StackConfig.from(Path.of("."), Map.of("SWITCH_GRACE", "20s", "DELETION_GRACE", " 2m ",
                "DELETION_REMINDER", "1m")::get);
        assertThat(c.closeGraces()).containsExactly(Map.entry("SWITCH_GRACE", "20s"),
                Map.entry("DELETION_GRACE", "2m"), Map.entry("DELETION_REMINDER", "1m"));
        assertThat(StackConfig.from(Path.of("."), Map.<String, String>of()::get).closeGraces()).isEmpty();
        assertThatThrownBy(() -> StackConfig.from(Path.of("."), Map.of("DELETION_REMINDER", "one day")::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DELETION_REMINDER")
                .hasMessageContaining("30s");
    }

    @Test
    void aReminderThatIsNotBeforeTheDeletionIsRefusedNamingBothAndUnsetTimingsAreTheProductsFilesDefaults() {
        assertThatThrownBy(() -> StackConfig.from(Path.of("."), Map.of("DELETION_GRACE", "20s")::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DELETION_REMINDER")
                .hasMessageContaining("DELETION_GRACE");
        StackConfig c = StackConfig.from(Path.of("."), Map.of("DELETION_GRACE", "40s", "DELETION_REMINDER", "25s")::get);
        assertThat(c.closeTiming("DELETION_GRACE")).isEqualTo(java.time.Duration.ofSeconds(40));
        assertThat(c.closeTiming("DELETION_REMINDER")).isEqualTo(java.time.Duration.ofSeconds(25));
        assertThat(c.closeTiming("SWITCH_GRACE")).isEqualTo(java.time.Duration.ofHours(1));
    }
}

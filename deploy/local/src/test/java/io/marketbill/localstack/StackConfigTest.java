package io.marketbill.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackConfigTest {

    @Test
    void shortCloseTimingsAreTakenAndAWrongOneIsRefusedByName() {
        StackConfig c = StackConfig.from(Path.of("."), Map.of("SWITCH_GRACE", "20s", "DELETION_GRACE", " 2m ")::get);
        assertThat(c.closeGraces()).containsExactly(Map.entry("SWITCH_GRACE", "20s"),
                Map.entry("DELETION_GRACE", "2m"));
        assertThat(StackConfig.from(Path.of("."), Map.<String, String>of()::get).closeGraces()).isEmpty();
        assertThatThrownBy(() -> StackConfig.from(Path.of("."), Map.of("DELETION_REMINDER", "one day")::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DELETION_REMINDER")
                .hasMessageContaining("30s");
    }
}

package io.marketbill.gateway.protection;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class LogTextTest {

    /** Whatever a caller sends, the logged text has no line break nor any other control character. */
    @Property(tries = 500)
    void nothingACallerSendsBreaksALogLine(@ForAll String sent) {
        String logged = LogText.printable(sent);
        assertThat(logged.chars()).noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029);
        assertThat(logged.length()).isLessThanOrEqualTo(LogText.MAX + 3);
    }

    @org.junit.jupiter.api.Test
    void aForgedLineStaysOnItsLine() {
        assertThat(LogText.printable("x\r\n2026-12-02 INFO forged")).isEqualTo("x??2026-12-02 INFO forged");
        assertThat(LogText.printable(null)).isEqualTo("null");
    }
}

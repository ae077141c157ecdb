package io.marketbill.gateway.protection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The rate limits' caller address: X-Forwarded-For only behind the vendor's own proxies (review finding 10). */
class ClientAddressTest {

    private static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverRead() {
        ClientAddress clients = new ClientAddress(List.of());
        assertThat(clients.of(ip("203.0.113.7"), List.of("198.51.100.1"))).isEqualTo("203.0.113.7");
    }

    @Test
    void behindTheIngressTheLastAddressItDidNotWriteIsTheCaller() {
        ClientAddress clients = new ClientAddress(List.of("10.0.0.0/8", "2001:db8::/32"));
        // the caller forged the first entry; the ingress (10.1.2.3) appended the address it saw
        assertThat(clients.of(ip("10.1.2.3"), List.of("1.2.3.4, 203.0.113.7"))).isEqualTo("203.0.113.7");
        // two proxies of the vendor's: both skipped
        assertThat(clients.of(ip("10.1.2.3"), List.of("1.2.3.4, 203.0.113.7", "10.9.9.9"))).isEqualTo("203.0.113.7");
        assertThat(clients.of(ip("2001:db8::1"), List.of("[2001:db8::5]", "198.51.100.2"))).isEqualTo("198.51.100.2");
        // nothing forwarded, or garbage: the proxy itself
        assertThat(clients.of(ip("10.1.2.3"), null)).isEqualTo("10.1.2.3");
        assertThat(clients.of(ip("10.1.2.3"), List.of("not-an-address"))).isEqualTo("10.1.2.3");
        // a caller outside the trusted networks cannot speak for anyone else
        assertThat(clients.of(ip("198.51.100.9"), List.of("203.0.113.7"))).isEqualTo("198.51.100.9");
        assertThat(clients.of(null, List.of("203.0.113.7"))).isEqualTo("unknown");
    }

    @Test
    void aMistypedNetworkStopsTheGatewayWithTheEntryNamed() {
        assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/33"))).hasMessageContaining("\"10.0.0.0/33\"");
        assertThatThrownBy(() -> new ClientAddress(List.of("ingress.local"))).hasMessageContaining("\"ingress.local\"");
    }

    /** Whatever a caller outside the trusted networks writes in the header, its own address is what counts. */
    @Property(tries = 300)
    void noHeaderMovesAnUntrustedCaller(@ForAll @IntRange(min = 11, max = 223) int first, @ForAll int a, @ForAll int b,
                                        @ForAll List<@IntRange(min = 0, max = 255) Integer> forged) {
        ClientAddress clients = new ClientAddress(List.of("10.0.0.0/8"));
        String caller = first + "." + (a & 0xff) + "." + (b & 0xff) + ".1";
        String header = String.join(", ", forged.stream().map(o -> "10.0.0." + o).toList());
        assertThat(clients.of(ip(caller), List.of(header))).isEqualTo(caller);
    }
}

package io.marketbill.protocols.aliyun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class AliyunSpiTokenTest {

    @Test
    void matchesTheDocumentedExample() {
        // [ALI-SEC]: token = MD5("p1=1&p2=2&p3=3&key=isvkey") for ?p1=1&p2=2&p3=3&token=...
        Map<String, String> params = Map.of("p3", "3", "p1", "1", "p2", "2", "token", "ignored");
        assertThat(AliyunSpiToken.stringToSign(params, "isvkey")).isEqualTo("p1=1&p2=2&p3=3&key=isvkey");
        assertThat(AliyunSpiToken.compute(params, "isvkey")).isEqualTo("691b1c2be27485a87fb000de6f89f1d3");
    }

    @Test
    void signsDecodedValuesWithSpacesAndUtf8() {
        Map<String, String> params = Map.of("action", "renewInstance", "expiredOn", "2025-12-23 22:30:30", "名", "值");
        assertThat(AliyunSpiToken.stringToSign(params, "k"))
                .isEqualTo("action=renewInstance&expiredOn=2025-12-23 22:30:30&名=值&key=k");
    }

    @Provide
    Arbitrary<Map<String, String>> params() {
        return Arbitraries.maps(Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12)
                        .filter(k -> !k.equals("token")),
                Arbitraries.strings().ofMaxLength(40)).ofMinSize(1).ofMaxSize(12);
    }

    @Property
    void aTokenComputedForTheParametersVerifies(@ForAll("params") Map<String, String> params,
                                                @ForAll @StringLength(min = 1, max = 40) String key) {
        Map<String, String> signed = new HashMap<>(params);
        signed.put("token", AliyunSpiToken.compute(params, key));
        assertThat(AliyunSpiToken.verify(signed, key)).isTrue();
    }

    @Property
    void changingAnyValueOrTheKeyOrAddingAParameterBreaksIt(@ForAll("params") Map<String, String> params,
                                                            @ForAll @StringLength(min = 1, max = 40) String key,
                                                            @ForAll @StringLength(min = 1, max = 10) String extra) {
        Map<String, String> signed = new HashMap<>(params);
        signed.put("token", AliyunSpiToken.compute(params, key));

        String name = params.keySet().iterator().next();
        Map<String, String> tampered = new HashMap<>(signed);
        tampered.put(name, signed.get(name) + "x");
        assertThat(AliyunSpiToken.verify(tampered, key)).isFalse();

        assertThat(AliyunSpiToken.verify(signed, key + "x")).isFalse();

        Assume.that(!params.containsKey("zz" + extra) && !("zz" + extra).equals("token"));
        Map<String, String> added = new HashMap<>(signed);
        added.put("zz" + extra, "1");
        assertThat(AliyunSpiToken.verify(added, key)).isFalse();
    }

    @Test
    void aMissingOrMalformedTokenNeverVerifies() {
        assertThat(AliyunSpiToken.verify(Map.of("action", "x"), "k")).isFalse();
        assertThat(AliyunSpiToken.verify(Map.of("action", "x", "token", "abc"), "k")).isFalse();
    }

    @Test
    void upperCaseHexIsAccepted() {
        Map<String, String> p = new HashMap<>(Map.of("action", "createInstance"));
        p.put("token", AliyunSpiToken.compute(p, "k").toUpperCase());
        assertThat(AliyunSpiToken.verify(p, "k")).isTrue();
    }
}

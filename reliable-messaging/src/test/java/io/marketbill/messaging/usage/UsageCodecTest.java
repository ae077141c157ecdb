package io.marketbill.messaging.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketbill.contracts.InvalidUsageException;
import io.marketbill.contracts.UsageRecorded;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class UsageCodecTest {

    private final UsageCodec codec = new UsageCodec();

    @Property(tries = 500)
    void whatIsEncodedDecodesToTheSameUsage(@ForAll("usage") UsageRecorded u) {
        UsageRecorded back = codec.decode(codec.encode(u));
        assertThat(back).isEqualTo(u);
        assertThat(back.quantityMicros()).isEqualTo(u.quantity().movePointRight(6).longValueExact());
    }

    @Property(tries = 1000)
    void anyTextIsEitherUsageOrRefusedWithAReason(@ForAll String text) {
        try {
            codec.decode(text);
        } catch (InvalidUsageException e) {
            assertThat(e.reason()).matches("[a-z_]+");
        }
    }

    @Property(tries = 300)
    void quantitiesKeepEveryDecimalUpToSix(@ForAll("micros") long micros) {
        BigDecimal q = BigDecimal.valueOf(micros, 6);
        String json = event("\"quantity\":" + q.toPlainString());
        assertThat(codec.decode(json).quantityMicros()).isEqualTo(micros);
        String asString = event("\"quantity\":\"" + q.toPlainString() + "\"");
        assertThat(codec.decode(asString).quantityMicros()).isEqualTo(micros);
    }

    @Test
    void eachRuleHasItsReason() {
        assertReason(event("\"quantity\":-1"), "bad_quantity");
        assertReason(event("\"quantity\":0.0000001"), "bad_quantity");
        assertReason(event("\"quantity\":\"lots\""), "bad_quantity");
        assertReason(event("\"quantity\":1e10"), "bad_quantity");
        assertReason(event("\"quantity\":1,\"subscriptionId\":\"aliyun:1\""), "missing_subject");
        assertReason(event("\"quantity\":1").replace("\"organizationId\":\"org-1\",", ""), "missing_subject");
        assertReason(event("\"quantity\":1").replace("cu_hours", "CU Hours"), "bad_dimension");
        assertReason(event("\"quantity\":1").replace("\"1.0\"", "\"0.3\""), "bad_specversion");
        assertReason(event("\"quantity\":1").replace(UsageRecorded.TYPE, "com.example.other"), "unsupported_type");
        assertReason(event("\"quantity\":1").replace("2026-11-23T08:15:00Z", "2026-11-23 08:15:00"), "bad_time");
        assertReason(event("\"quantity\":1").replace("\"id\":\"e-1\",", ""), "missing_id");
        assertReason(event("\"quantity\":1").replace("\"source\":\"//test\",", ""), "missing_source");
        assertReason("{\"specversion\":", "malformed_json");
        assertReason("[]", "not_an_event");
        assertReason(event("\"quantity\":1").replace("\"id\":", "\"cloud\":\"AWS\",\"id\":"), "bad_cloud");
        assertReason(event("\"quantity\":1").replace("\"id\":", "\"cloud\":7,\"id\":"), "bad_cloud");
        assertReason(event("\"quantity\":1").replace("\"id\":", "\"cloud\":\"-aws\",\"id\":"), "bad_cloud");
    }

    @Test
    void theCloudIsTheCloudEventsExtensionAttributeNotData() {
        assertThat(codec.decode(event("\"quantity\":1").replace("\"id\":", "\"cloud\":\"aws\",\"id\":")).cloud())
                .isEqualTo("aws");
        assertThat(codec.decode(event("\"quantity\":1,\"cloud\":\"aws\"")).cloud()).as("in data: not read").isNull();
        assertThat(codec.decode(event("\"quantity\":1")).cloud()).isNull();
    }

    @Test
    void aLocalTimeWithAnOffsetIsTheSameInstant() {
        String json = event("\"quantity\":1").replace("2026-11-23T08:15:00Z", "2026-11-23T16:15:00+08:00");
        assertThat(codec.decode(json).time()).isEqualTo(Instant.parse("2026-11-23T08:15:00Z"));
    }

    @Test
    void aBatchKeepsTheValidEventsAndNamesEachRefusal() {
        String batch = "[" + event("\"quantity\":1") + "," + event("\"quantity\":-2").replace("e-1", "e-2") + ",42,"
                + event("\"quantity\":3").replace("e-1", "e-3") + "]";
        List<UsageCodec.Decoded> out = codec.decodeBatch(batch.getBytes(StandardCharsets.UTF_8));
        assertThat(out).extracting(UsageCodec.Decoded::valid).containsExactly(true, false, false, true);
        assertThat(out.get(1).reason()).isEqualTo("bad_quantity");
        assertThat(out.get(1).id()).isEqualTo("e-2");
        assertThat(out.get(2).reason()).isEqualTo("not_an_event");
        assertThatThrownBy(() -> codec.decodeBatch("{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidUsageException.class).hasMessageContaining("array");
    }

    private void assertReason(String json, String reason) {
        assertThatThrownBy(() -> codec.decode(json)).isInstanceOf(InvalidUsageException.class)
                .satisfies(e -> assertThat(((InvalidUsageException) e).reason()).as(json).isEqualTo(reason));
    }

    private static String event(String quantity) {
        return "{\"specversion\":\"1.0\",\"type\":\"" + UsageRecorded.TYPE + "\",\"source\":\"//test\",\"id\":\"e-1\","
                + "\"time\":\"2026-11-23T08:15:00Z\",\"data\":{\"organizationId\":\"org-1\",\"dimension\":\"cu_hours\","
                + quantity + "}}";
    }

    @Provide
    Arbitrary<Long> micros() {
        return Arbitraries.longs().between(0, 1_000_000_000_000_000L / 1000);
    }

    @Provide
    Arbitrary<UsageRecorded> usage() {
        Arbitrary<String> token = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(40);
        Arbitrary<Instant> time = Arbitraries.longs().between(0, 4_000_000_000L).map(Instant::ofEpochSecond);
        Arbitrary<String> dimension = Arbitraries.strings().withChars("abcxyz019_.-").ofMinLength(1).ofMaxLength(20)
                .filter(d -> Character.isLetterOrDigit(d.charAt(0)));
        Arbitrary<Boolean> byOrganization = Arbitraries.of(true, false);
        Arbitrary<String> cloud = Arbitraries.of("aliyun", "aws", "azure", "gcp-cn").injectNull(0.3);
        return Combinators.combine(token, token, time, byOrganization, dimension, micros(), cloud)
                .as((source, id, t, org, dim, m, c) -> new UsageRecorded(source, id, t, org ? "org-" + id : null,
                        org ? null : "aliyun:" + id, dim, BigDecimal.valueOf(m, 6), c));
    }
}

package io.marketbill.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

class UsageProducersTest {

    static final String EMQX_HASH = "0216153242c21fa5b75975a665a703db3d318d9bd59d7db3cd5ca600579b2ad8";

    private static UsageProperties props(UsageProperties.ProducerEntry... producers) {
        return new UsageProperties(null, null, List.of(producers), null);
    }

    @Test
    void aKeyIsFoundByItsHashAndItsProducerMayUseOnlyItsSourcePrefixes() {
        UsageProducers producers = new UsageProducers(props(
                new UsageProperties.ProducerEntry("emqx", EMQX_HASH.toUpperCase(), List.of("//emqx.example/", "urn:emqx:")),
                new UsageProperties.ProducerEntry("zilliz",
                        "9b23f86d5589406b3e77d0d1ef6f203c25d294254379828194a64d158d653199", List.of("//"))));

        UsageProducers.Producer emqx = producers.find("emqx-test-key").orElseThrow();
        assertThat(emqx.name()).isEqualTo("emqx");
        assertThat(emqx.toString()).doesNotContain(EMQX_HASH);
        assertThat(producers.find("zilliz-test-key")).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("zilliz"));
        assertThat(producers.find("emqx-test-key ")).isEmpty();
        assertThat(producers.find(EMQX_HASH)).as("the hash is not the key").isEmpty();
        assertThat(producers.find("")).isEmpty();
        assertThat(producers.find(null)).isEmpty();

        assertThat(emqx.mayUse("//emqx.example/cluster/eu-1")).isTrue();
        assertThat(emqx.mayUse("urn:emqx:cluster-1")).isTrue();
        assertThat(emqx.mayUse("//emqx.example.evil/x")).isFalse();
        assertThat(emqx.mayUse("//zilliz.example/")).isFalse();
        assertThat(emqx.mayUse(null)).isFalse();
    }

    @Test
    void authenticationTurnsAKnownKeyIntoItsProducerAndRefusesAnyOther() {
        UsageProducers producers = new UsageProducers(props(
                new UsageProperties.ProducerEntry("emqx", EMQX_HASH, List.of("//"))));

        var ok = producers.authenticate(new PreAuthenticatedAuthenticationToken("api-key", "emqx-test-key")).block();
        assertThat(ok.isAuthenticated()).isTrue();
        assertThat(ok.getPrincipal()).isInstanceOf(UsageProducers.Producer.class);
        assertThat(ok.getCredentials()).as("the key is not kept").isNull();
        assertThat(ok.getAuthorities()).extracting(Object::toString).containsExactly(UsageProducers.ROLE);
        assertThatThrownBy(() -> producers.authenticate(new PreAuthenticatedAuthenticationToken("api-key", "guess"))
                .block()).isInstanceOf(BadCredentialsException.class).hasMessageNotContaining("guess");
    }

    @Test
    void aConfigurationThatCannotWorkIsRefusedAtStart() {
        assertThatThrownBy(() -> props(new UsageProperties.ProducerEntry("emqx", "local-usage-key", List.of("//"))))
                .hasMessageContaining("producers[0].key-sha256").hasMessageContaining("64 hex");
        assertThatThrownBy(() -> props(new UsageProperties.ProducerEntry("emqx", EMQX_HASH, List.of())))
                .hasMessageContaining("producers[0].sources");
        assertThatThrownBy(() -> props(new UsageProperties.ProducerEntry("emqx", EMQX_HASH,
                List.of("//emqx.example"))))
                .hasMessageContaining("producers[0].sources").hasMessageContaining("must end in / or :");
        assertThatThrownBy(() -> props(new UsageProperties.ProducerEntry("", EMQX_HASH, List.of("//"))))
                .hasMessageContaining("producers[0].name");
        assertThatThrownBy(() -> props(new UsageProperties.ProducerEntry("a", EMQX_HASH, List.of("//")),
                new UsageProperties.ProducerEntry("a", EMQX_HASH.replace('0', '1'), List.of("//"))))
                .hasMessageContaining("producers[1].name");
        assertThatThrownBy(() -> props(new UsageProperties.ProducerEntry("a", EMQX_HASH, List.of("//")),
                new UsageProperties.ProducerEntry("b", EMQX_HASH.toUpperCase(), List.of("//"))))
                .hasMessageContaining("another producer's key");
        assertThatThrownBy(() -> new UsageProperties(null, 0, List.of(), null)).hasMessageContaining("max-batch");
        assertThat(props().maxBody().toBytes()).isEqualTo(1024 * 1024);
        assertThat(props().maxBatch()).isEqualTo(1000);
    }
}

package io.marketbill.simulator.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

    @Test
    void aMissingKeyFileIsCreatedAndTheSameKeyIsReadAfterARestart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data/identity-key.pem");
        SigningKey created = SigningKey.at(file);
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(created.privateKey().getModulus().bitLength()).isEqualTo(2048);

        SigningKey reread = SigningKey.at(file);
        assertThat(reread.kid()).isEqualTo(created.kid());
        assertThat(reread.jwk()).isEqualTo(created.jwk());
        assertThat(SigningKey.inMemory().kid()).isNotEqualTo(created.kid());
    }

    @Test
    void aFileThatIsNotAKeyIsRefusedRatherThanReplaced(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("identity-key.pem");
        Files.writeString(file, "not a key");
        assertThatThrownBy(() -> SigningKey.at(file)).hasMessageContaining("not an RSA PKCS#8 PEM key");
        assertThat(Files.readString(file)).isEqualTo("not a key");
    }
}

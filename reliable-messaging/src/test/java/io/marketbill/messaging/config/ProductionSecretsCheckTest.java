package io.marketbill.messaging.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class ProductionSecretsCheckTest {

    private static MockEnvironment env(String profile, String key) {
        MockEnvironment env = new MockEnvironment()
                .withProperty("marketbill.secrets.required", "marketbill.aliyun.spi-key, spring.datasource.password")
                .withProperty("spring.datasource.password", "s3cr3t-from-vault");
        if (key != null) {
            env.setProperty("marketbill.aliyun.spi-key", key);
        }
        if (profile != null) {
            env.setActiveProfiles(profile);
        }
        return env;
    }

    @Test
    void theProdProfileRefusesAMissingSecretAndNamesItWithoutItsValue() {
        assertThatThrownBy(() -> new ProductionSecretsCheck(env("prod", null)).afterPropertiesSet())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("marketbill.aliyun.spi-key is not set")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void theProdProfileRefusesTheLocalStackDefault() {
        assertThatThrownBy(() -> new ProductionSecretsCheck(env("prod", "local-spi-key")).afterPropertiesSet())
                .hasMessageContaining("marketbill.aliyun.spi-key is a development default")
                .hasMessageNotContaining("local-spi-key");
    }

    @Test
    void anOptionalSecretIsCheckedOnlyWhenSet() {
        MockEnvironment set = env("prod", "a-real-key-from-the-console")
                .withProperty("marketbill.secrets.optional", "marketbill.aws.secret-access-key")
                .withProperty("marketbill.aws.secret-access-key", "local-aws-secret");
        assertThatThrownBy(() -> new ProductionSecretsCheck(set).afterPropertiesSet())
                .hasMessageContaining("marketbill.aws.secret-access-key is a development default");
        MockEnvironment unset = env("prod", "a-real-key-from-the-console")
                .withProperty("marketbill.secrets.optional", "marketbill.aws.secret-access-key");
        assertThatCode(() -> new ProductionSecretsCheck(unset).afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void realSecretsPassAndOtherProfilesAreNotChecked() {
        assertThatCode(() -> new ProductionSecretsCheck(env("prod", "a-real-key-from-the-console")).afterPropertiesSet())
                .doesNotThrowAnyException();
        assertThatCode(() -> new ProductionSecretsCheck(env(null, "local-spi-key")).afterPropertiesSet())
                .doesNotThrowAnyException();
    }
}

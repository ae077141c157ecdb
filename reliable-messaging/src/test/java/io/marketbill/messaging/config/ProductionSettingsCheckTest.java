package io.marketbill.messaging.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** How the check reads a service's environment: names from the YAML, values as resolved, env-only settings. */
class ProductionSettingsCheckTest {

    private static final String GOOD = "pWq3v9XzT1kLm8RbN2cYd5FhJ7gSa0Ue";

    private static MockEnvironment env(String profile) {
        MockEnvironment env = new MockEnvironment();
        // as a service's application.yml has it: names that read environment variables
        env.getPropertySources().addLast(new MapPropertySource("application.yml", Map.of(
                "marketbill.secrets.required", "marketbill.login-ticket.secret, spring.datasource.password",
                "marketbill.login-ticket.secret", "${LOGIN_TICKET_SECRET:}",
                "spring.datasource.password", "${DB_PASSWORD:}",
                "marketbill.billing.aliyun.endpoint", "${ALIYUN_MARKET_ENDPOINT:https://market.aliyuncs.com}")));
        env.setProperty("LOGIN_TICKET_SECRET", GOOD);
        env.setProperty("DB_PASSWORD", "a-database-password");
        if (profile != null) {
            env.setActiveProfiles(profile);
        }
        return env;
    }

    @Test
    void theManifestsPlaceholderStopsTheServiceNamingTheSettingAndItsVariable() {
        MockEnvironment env = env("prod");
        env.setProperty("LOGIN_TICKET_SECRET", "replace-from-your-secret-store");
        assertThatThrownBy(() -> ProductionSettingsCheck.check(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("refusing to start with the prod profile: ")
                .hasMessageContaining("marketbill.login-ticket.secret (env LOGIN_TICKET_SECRET) is a value committed")
                .hasMessageNotContaining("replace-from-your-secret-store");
    }

    @Test
    void aMissingRequiredSecretIsNamed() {
        MockEnvironment env = env("prod");
        env.setProperty("DB_PASSWORD", "");
        assertThatThrownBy(() -> ProductionSettingsCheck.check(env))
                .hasMessageContaining("spring.datasource.password (env DB_PASSWORD) is not set");
    }

    @Test
    void theSimulatorAsTheMarketplaceStopsTheService() {
        MockEnvironment env = env("prod");
        env.setProperty("ALIYUN_MARKET_ENDPOINT", "http://marketplace-simulator:8090");
        assertThatThrownBy(() -> ProductionSettingsCheck.check(env))
                .hasMessageContaining("marketbill.billing.aliyun.endpoint (env ALIYUN_MARKET_ENDPOINT) points at "
                        + "the marketplace simulator")
                .hasMessageNotContaining("marketplace-simulator:8090");
    }

    @Test
    void aSimulatorUrlInTheEnvironmentMakesItsHostADevelopmentHost() {
        MockEnvironment env = env("prod");
        env.setProperty("SIMULATOR_URL", "http://sim.dev.internal:8090");
        env.setProperty("ALIYUN_MARKET_ENDPOINT", "http://sim.dev.internal:8090/aliyun/market");
        assertThatThrownBy(() -> ProductionSettingsCheck.check(env))
                .hasMessageContaining("marketbill.billing.aliyun.endpoint (env ALIYUN_MARKET_ENDPOINT) points at");
    }

    @Test
    void aSecretSetOnlyInTheEnvironmentIsCheckedByItsVariablesName() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().addLast(new SystemEnvironmentPropertySource("systemEnvironment", Map.of(
                "MARKETBILL_AWS_ACCOUNTS_EU_SECRETACCESSKEY", "local-aws-secret",
                // not the service's: an unrelated variable of the host
                "GPG_KEY", "short")));
        env.setActiveProfiles("prod");
        assertThatThrownBy(() -> ProductionSettingsCheck.check(env))
                .hasMessageContaining("MARKETBILL_AWS_ACCOUNTS_EU_SECRETACCESSKEY is a value committed")
                .hasMessageNotContaining("GPG_KEY");
    }

    @Test
    void aValidConfigurationStartsAndOtherProfilesAreNotChecked() {
        assertThatCode(() -> ProductionSettingsCheck.check(env("prod"))).doesNotThrowAnyException();
        MockEnvironment local = env(null);
        local.setProperty("LOGIN_TICKET_SECRET", "local-login-ticket-secret");
        local.setProperty("ALIYUN_MARKET_ENDPOINT", "http://127.0.0.1:8090/aliyun/market");
        assertThatCode(() -> ProductionSettingsCheck.check(local)).doesNotThrowAnyException();
    }
}

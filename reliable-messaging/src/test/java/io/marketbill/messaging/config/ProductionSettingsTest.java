package io.marketbill.messaging.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.messaging.config.ProductionSettings.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The prod profile's rules, one by one; every refusal names the setting and never shows its value. */
class ProductionSettingsTest {

    /** Long enough, random-looking, no placeholder word. */
    private static final String GOOD = "pWq3v9XzT1kLm8RbN2cYd5FhJ7gSa0Ue";

    private static List<String> problems(String name, String value) {
        return ProductionSettings.problems(List.of(new Setting(name, null, value)), List.of(), List.of());
    }

    private static void refused(String name, String value, String why) {
        List<String> problems = problems(name, value);
        assertThat(problems).as(name + " set to a bad value").hasSize(1);
        assertThat(problems.getFirst()).startsWith(name + " ").contains(why);
        // after the name ("marketbill" is a committed value and a name's first word)
        assertThat(problems.getFirst().substring(name.length())).doesNotContain(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"marketbill.aliyun.spi-key", "marketbill.login-ticket.secret",
            "marketbill.notification.link-secret", "marketbill.billing.aliyun.access-key-secret",
            "marketbill.aws.secret-access-key", "marketbill.billing.aws.secret-access-key",
            "marketbill.aws.accounts.china.secret-access-key", "marketbill.aws.eventbridge.secret",
            "spring.mail.password", "spring.datasource.password", "marketbill.notification.archive.password",
            "marketbill.usage.producers[0].key-sha256", "ALIYUN_SPI_KEY", "AWS_SECRET_ACCESS_KEY"})
    void theManifestsPlaceholderIsRefusedForEverySecret(String name) {
        // deploy/k8s/base/kustomization.yaml's secretGenerator: 29 characters, passed the old 16-character minimum
        refused(name, "replace-from-your-secret-store", "committed in the repository");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local-spi-key", "local-login-ticket-secret", "local-notification-link-secret",
            "local-aws-secret", "local-aliyun-secret", "local-eventbridge-key", "marketbill", "postgres", "archive",
            "test-login-ticket-secret-0123456789"})
    void everyCommittedDevelopmentValueIsRefused(String value) {
        refused("spring.datasource.password", value, "committed in the repository");
        refused("marketbill.login-ticket.secret", value, "committed in the repository");
    }

    @ParameterizedTest
    @CsvSource({"Replace-Me-With-The-Real-Key-0123456789,replace", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,example",
            "ChangeMe-ChangeMe-ChangeMe-ChangeMe,changeme", "please-REPLACE-this-database-password,replace"})
    void aValueWithAPlaceholderWordIsRefusedWhateverItsCaseAndLength(String value, String word) {
        refused("marketbill.aws.secret-access-key", value, "placeholder (it contains \"" + word + "\")");
        refused("spring.datasource.password", value, "placeholder");
    }

    @ParameterizedTest
    @ValueSource(strings = {"marketbill.login-ticket.secret", "marketbill.notification.link-secret",
            "marketbill.aws.eventbridge.secret", "marketbill.aws.secret-access-key", "marketbill.ops.api-token"})
    void aGeneratedSecretShorterThan32CharactersIsRefused(String name) {
        // the old check's own examples: 30 and 29 characters
        refused(name, "a-ticket-secret-from-the-vault", "shorter than 32 characters");
        refused(name, GOOD.substring(0, 31), "shorter than 32 characters");
        assertThat(problems(name, GOOD)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"spring.datasource.password", "spring.mail.password",
            "marketbill.billing.aliyun.access-key-secret", "marketbill.aliyun.spi-key"})
    void secretsIssuedBySomeoneElseHaveNoLengthRule(String name) {
        // Alibaba's AccessKey secrets are 30 characters; an SMTP provider or DBA chooses a password's length
        assertThat(problems(name, "Kx7NyKRnWCsRzW4yDvzrXkoqfhxHBs")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"marketbill.aws.access-key-id", "marketbill.billing.aliyun.access-key-id",
            "marketbill.secrets.required", "spring.kafka.producer.key-serializer", "marketbill.aws.eventbridge.header-name"})
    void namesThatAreNotSecretsAreNotHeldToTheSecretRules(String name) {
        assertThat(ProductionSettings.isSecret(name)).isFalse();
        assertThat(problems(name, "short")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"spring.kafka.properties.sasl.jaas.config", "SPRING_KAFKA_SSL_KEY_PASSWORD",
            "marketbill.aws.session-token", "spring.security.oauth2.client.registration.ops.client-secret",
            "marketbill.directory.credentials", "MARKETBILL_AWS_ACCOUNTS_EU_SECRETACCESSKEY"})
    void secretsAreFoundByTheirNamesWithoutBeingListed(String name) {
        assertThat(ProductionSettings.isSecret(name)).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            "spring.security.oauth2.resourceserver.jwt.jwk-set-uri,http://marketplace-simulator:8090/dev-login/jwks.json",
            "spring.security.oauth2.resourceserver.jwt.issuer-uri,http://localhost:8090/dev-login",
            "spring.security.oauth2.resourceserver.jwt.issuer-uri,https://idp.vendor.com/dev-login",
            "marketbill.identity.login-url,http://127.0.0.1:8090/dev-login",
            "marketbill.identity.jwk-set-uri,https://localhost/keys",
            "marketbill.identity.issuer,http://marketplace-simulator.marketbill.svc.cluster.local:8090",
            "marketbill.identity-check.login-url,http://[::1]:9000/authorize"})
    void aDevelopmentLoginIsRefusedAsTheIdentityProvider(String name, String value) {
        refused(name, value, "development login");
    }

    @Test
    void theSimulatorsConfiguredHostIsADevelopmentHostToo() {
        List<String> problems = ProductionSettings.problems(
                List.of(new Setting("marketbill.identity.issuer", "IDENTITY_ISSUER", "http://sim.internal:8090/login")),
                List.of(), List.of("sim.internal"));
        assertThat(problems).singleElement().asString()
                .startsWith("marketbill.identity.issuer (env IDENTITY_ISSUER) is a development login")
                .doesNotContain("sim.internal");
    }

    @ParameterizedTest
    @CsvSource({"marketbill.billing.aliyun.endpoint,http://marketplace-simulator:8090",
            "marketbill.billing.aliyun.endpoint,http://127.0.0.1:8090/aliyun/market",
            "marketbill.aws.metering-endpoint,http://127.0.0.1:8090",
            "marketbill.billing.aws.endpoint,http://localhost:8090",
            "marketbill.aws.accounts.china.metering-endpoint,http://marketplace-simulator:8090",
            "marketbill.billing.aws.accounts.china.metering-endpoint,http://127.0.0.1:8090",
            "MARKETBILL_BILLING_AWS_ACCOUNTS_EU_METERINGENDPOINT,http://marketplace-simulator:8090",
            "marketbill.billing.reconciliation.aliyun-record,https://records.vendor.com/sim/aliyun/metering",
            "marketbill.billing.reconciliation.aws-record,http://marketplace-simulator:8090/sim/aws/metering"})
    void theSimulatorIsRefusedAsAMarketplace(String name, String value) {
        refused(name, value, "marketplace simulator");
    }

    @ParameterizedTest
    @CsvSource({"marketbill.aws.sns.test-ca-pem,/data/simulator-ca.pem",
            "marketbill.aws.sns.test-cert-hosts,127.0.0.1:8090", "MARKETBILL_AWS_SNS_TESTCAPEM,/tmp/ca.pem"})
    void theSimulatorsSnsTestCaIsNotTrusted(String name, String value) {
        refused(name, value, "test CA");
    }

    @Test
    void aMissingRequiredSettingIsNamedWithItsEnvironmentVariable() {
        List<String> problems = ProductionSettings.problems(
                List.of(new Setting("spring.datasource.password", "DB_PASSWORD", ""),
                        new Setting("marketbill.aliyun.spi-key", "ALIYUN_SPI_KEY", GOOD)),
                List.of("spring.datasource.password", "marketbill.aliyun.spi-key", "marketbill.identity.issuer"),
                List.of());
        assertThat(problems).containsExactly("spring.datasource.password (env DB_PASSWORD) is not set",
                "marketbill.identity.issuer is not set");
    }

    @Test
    void aValidProductionConfigurationHasNoProblems() {
        List<Setting> settings = List.of(
                new Setting("marketbill.aliyun.spi-key", "ALIYUN_SPI_KEY", "nS8fK2pQ7xWz1vB4"),
                new Setting("marketbill.login-ticket.secret", "LOGIN_TICKET_SECRET", GOOD),
                new Setting("marketbill.notification.link-secret", "NOTIFICATION_LINK_SECRET", GOOD + "x"),
                new Setting("spring.datasource.password", "DB_PASSWORD", "Hq4-db-Pw"),
                new Setting("marketbill.aws.access-key-id", "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7QWERTY12"),
                new Setting("marketbill.aws.secret-access-key", "AWS_SECRET_ACCESS_KEY",
                        "Zr8kP3mN5qT7vX9yB2cD4fG6hJ8kL0nQ2sU4wY6a"),
                new Setting("marketbill.billing.aliyun.access-key-secret", "ALIYUN_ACCESS_KEY_SECRET",
                        "Kx7NyKRnWCsRzW4yDvzrXkoqfhxHBs"),
                new Setting("marketbill.usage.producers[0].key-sha256", null,
                        "3f2a9c0d4e5b6a7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e"),
                new Setting("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", "IDENTITY_JWK_SET_URI",
                        "https://login.vendor.com/.well-known/jwks.json"),
                new Setting("spring.security.oauth2.resourceserver.jwt.issuer-uri", "IDENTITY_ISSUER",
                        "https://login.vendor.com"),
                new Setting("marketbill.identity.login-url", "IDENTITY_LOGIN_URL", "https://login.vendor.com/authorize"),
                new Setting("marketbill.billing.aliyun.endpoint", "ALIYUN_MARKET_ENDPOINT", "https://market.aliyuncs.com"),
                new Setting("marketbill.aws.metering-endpoint", "AWS_METERING_ENDPOINT", ""),
                new Setting("marketbill.billing.reconciliation.aws-record", "AWS_METERING_RECORD_URL", null),
                new Setting("marketbill.aws.sns.test-ca-pem", null, null),
                new Setting("marketbill.ops.subscription-service-url", null, "http://127.0.0.1:8081"));
        assertThat(ProductionSettings.problems(settings,
                List.of("marketbill.aliyun.spi-key", "marketbill.login-ticket.secret", "spring.datasource.password"),
                List.of())).isEmpty();
    }

    @Test
    void aSettingNeverShowsItsValue() {
        assertThat(new Setting("spring.datasource.password", "DB_PASSWORD", "hunter2-hunter2").toString())
                .doesNotContain("hunter2");
    }

    /** {@code name: value}, {@code NAME=value} and {@code ${NAME:default}} in YAML, and the local stack's literals. */
    private static final Pattern YAML = Pattern.compile("^\\s*-?\\s*([A-Za-z][A-Za-z0-9_.\\-\\[\\]]*)\\s*[:=]\\s*\"?([^\"#\\s]+)\"?\\s*$");
    /** {@code ${NAME:default}} (Spring) and {@code ${NAME:-default}} (compose, the shell). */
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):-?([^}]+)}");
    /** {@code env.put("NAME", "value")} (LocalStack) and {@code or(get.apply("NAME"), "value")} (StackConfig). */
    private static final Pattern JAVA_LITERAL = Pattern.compile(
            "(?:env\\.put\\(\"([A-Z][A-Z0-9_]*)\",|get\\.apply\\(\"([A-Z][A-Z0-9_]*)\"\\),)\\s*\"([^\"]+)\"");

    @Test
    void everySecretValueCommittedInTheRepositoryIsRefused() throws IOException {
        // the module's directory is where Surefire runs; the repository is its parent
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> found = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/target/")
                    && !p.toString().contains("/.git/") && !p.toString().contains("/node_modules/")).toList()) {
                String n = file.getFileName().toString();
                boolean yaml = n.endsWith(".yml") || n.endsWith(".yaml") || n.endsWith(".env") || n.equals(".env");
                boolean stack = n.equals("LocalStack.java") || n.equals("StackConfig.java");
                if (!yaml && !stack) {
                    continue;
                }
                for (String line : Files.readAllLines(file)) {
                    List<String[]> pairs = new ArrayList<>();
                    Matcher d = ENV_DEFAULT.matcher(line);
                    while (d.find()) {
                        pairs.add(new String[] {d.group(1), d.group(2)});
                    }
                    Matcher y = YAML.matcher(line);
                    if (yaml && y.matches() && !y.group(2).startsWith("$")) {
                        pairs.add(new String[] {y.group(1), y.group(2)});
                    }
                    Matcher j = JAVA_LITERAL.matcher(line);
                    while (stack && j.find()) {
                        pairs.add(new String[] {j.group(1) != null ? j.group(1) : j.group(2), j.group(3)});
                    }
                    for (String[] p : pairs) {
                        // "key:" names a Secret's or ConfigMap's entry (secretKeyRef), not a setting
                        if (p[0].equals("key") || !ProductionSettings.isSecret(p[0]) || p[1].startsWith("?")) {
                            continue;
                        }
                        found.add(p[0]);
                        if (problems(p[0], p[1]).isEmpty()) {
                            accepted.add(root.relativize(file) + ": " + p[0]);
                        }
                    }
                }
            }
        }
        assertThat(found).as("the scan finds the manifests' and the local stack's secrets")
                .contains("ALIYUN_SPI_KEY", "LOGIN_TICKET_SECRET", "password", "AWS_SECRET_ACCESS_KEY");
        assertThat(accepted).as("committed secret values the prod profile would accept").isEmpty();
    }
}

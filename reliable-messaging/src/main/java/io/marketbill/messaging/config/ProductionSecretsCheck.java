package io.marketbill.messaging.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * With the {@code prod} profile, refuses to start while a secret listed in {@code marketbill.secrets.required}
 * is missing or still a development default, or one in {@code marketbill.secrets.optional} is set to a
 * development default. Names the property, never its value.
 */
public class ProductionSecretsCheck implements InitializingBean {

    /** Values that only the local stack and tests use. */
    static final Set<String> DEVELOPMENT_DEFAULTS = Set.of("local-spi-key", "marketbill", "postgres", "changeme",
            "secret", "password", "local-api-key", "local-login-ticket-secret", "local-aws-key", "local-aws-secret",
            "local-eventbridge-key", "local-aliyun-key", "local-aliyun-secret", "local-notification-link-secret");

    private final Environment env;

    public ProductionSecretsCheck(Environment env) {
        this.env = env;
    }

    @Override
    public void afterPropertiesSet() {
        if (!env.acceptsProfiles(Profiles.of("prod"))) {
            return;
        }
        String required = env.getProperty("marketbill.secrets.required", "");
        List<String> problems = new ArrayList<>();
        for (String name : Arrays.stream(required.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            String value = env.getProperty(name);
            if (value == null || value.isBlank()) {
                problems.add(name + " is not set");
            } else if (DEVELOPMENT_DEFAULTS.contains(value)) {
                problems.add(name + " is a development default");
            }
        }
        // secrets only some vendors use (e.g. AWS credentials): checked when set
        String optional = env.getProperty("marketbill.secrets.optional", "");
        for (String name : Arrays.stream(optional.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList()) {
            String value = env.getProperty(name);
            if (value != null && DEVELOPMENT_DEFAULTS.contains(value)) {
                problems.add(name + " is a development default");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start with the prod profile: " + String.join("; ", problems)
                    + ". Set them from the environment or a secret store.");
        }
    }
}

package io.marketbill.messaging.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Adds the shared modules' defaults ({@code marketbill-<module>.yml} at the root of their jars: this module's
 * {@code marketbill-messaging.yml}, service-security's {@code marketbill-security.yml}) as the lowest-precedence
 * settings of every service, so that a service's own application.yml (and the environment) can override any of them.
 * One loader for all: each module's file says only what that module needs.
 */
public class MessagingDefaults implements EnvironmentPostProcessor {

    static final String PATTERN = "classpath*:marketbill-*.yml";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        try {
            Resource[] files = new PathMatchingResourcePatternResolver(getClass().getClassLoader()).getResources(PATTERN);
            // in a fixed order (by name), so that the outcome never depends on the classpath's
            Arrays.sort(files, Comparator.comparing(Resource::getFilename));
            for (Resource file : files) {
                new YamlPropertySourceLoader().load("marketbill-defaults:" + file.getFilename(), file)
                        .forEach(environment.getPropertySources()::addLast);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shared modules' defaults (" + PATTERN + ")", e);
        }
    }
}

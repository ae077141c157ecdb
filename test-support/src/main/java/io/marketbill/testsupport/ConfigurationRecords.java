package io.marketbill.testsupport;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * Holds a module's configuration records to hiding their secrets: every {@code @ConfigurationProperties} record under
 * a package, and every record it holds (directly, or in a list or map), that has a secret component (by its name)
 * must override {@code toString()} so that the secret's value does not appear. A record is built with a marker in
 * each String component; one that cannot be built that way fails, so that it gets a check of its own.
 */
public final class ConfigurationRecords {

    private ConfigurationRecords() {
    }

    /** The configuration records under this package and those they hold, in the order found. */
    public static Set<Class<?>> under(String basePackage) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
                return definition.getMetadata().isIndependent();
            }
        };
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        Set<Class<?>> records = new LinkedHashSet<>();
        for (BeanDefinition definition : scanner.findCandidateComponents(basePackage)) {
            try {
                collect(Class.forName(definition.getBeanClassName()), records);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return records;
    }

    private static void collect(Type type, Set<Class<?>> records) {
        if (type instanceof ParameterizedType p) {
            for (Type argument : p.getActualTypeArguments()) {
                collect(argument, records);
            }
        } else if (type instanceof Class<?> c && c.isRecord() && records.add(c)) {
            for (RecordComponent component : c.getRecordComponents()) {
                collect(component.getGenericType(), records);
            }
        }
    }

    /**
     * Fails naming every record under the package whose {@code toString()} shows a secret component, or that has a
     * secret component and cannot be built with markers.
     *
     * @param isSecret tells a secret's name (the production check's rule: names ending in secret, key, password...)
     * @return the records with secrets that were checked (so that a test can see it checked the ones it expects)
     */
    public static List<Class<?>> assertSecretsHidden(String basePackage, Predicate<String> isSecret) {
        List<String> problems = new ArrayList<>();
        List<Class<?>> checked = new ArrayList<>();
        for (Class<?> record : under(basePackage)) {
            RecordComponent[] components = record.getRecordComponents();
            boolean hasSecret = false;
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                boolean secret = types[i] == String.class && isSecret.test(components[i].getName());
                hasSecret |= secret;
                args[i] = value(types[i], secret ? marker(components[i].getName()) : null);
            }
            if (!hasSecret) {
                continue;
            }
            checked.add(record);
            String shown;
            try {
                Constructor<?> constructor = record.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                shown = constructor.newInstance(args).toString();
            } catch (ReflectiveOperationException | RuntimeException e) {
                problems.add(record.getName() + " cannot be built with markers (" + e + "): check it on its own");
                continue;
            }
            for (RecordComponent component : components) {
                if (component.getType() == String.class && isSecret.test(component.getName())
                        && shown.contains(marker(component.getName()))) {
                    problems.add(record.getName() + ".toString() shows its secret " + component.getName());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("configuration records that show secrets:\n  " + String.join("\n  ", problems));
        }
        return checked;
    }

    private static String marker(String component) {
        return "MARKER-" + component + "-7f3a9c2e5b1d4a6f8e0c";
    }

    private static Object value(Class<?> type, String marker) {
        if (type == String.class) {
            // a non-secret String stays null, as an unset setting is
            return marker;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0.0;
        }
        return null;
    }
}

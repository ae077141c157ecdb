package io.marketbill.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.marketbill.testsupport.RequiredTool;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files, checked without a cluster: every document under deploy/k8s parses into the typed
 * fabric8 / Strimzi model with no field the model does not know (CloudNativePG, which has no Java model, by
 * hand), every kustomization names existing files and every file is named by one, and deploy/compose.yaml runs
 * the same images, ports and variable names as the Deployments.
 */
class ManifestsTest {

    static final Path DEPLOY = Path.of("..").toAbsolutePath().normalize();
    static final Path K8S = DEPLOY.resolve("k8s");
    static final Path COMPOSE = DEPLOY.resolve("compose.yaml");

    static final List<String> SERVICES = List.of("gateway-service", "subscription-service", "binding-service",
            "billing-service", "notification-service", "marketplace-simulator");
    static final Set<String> TOPICS = Set.of("marketplace.subscriptions.v1", "binding.v1", "directory.v1", "usage.v1",
            "billing.v1");
    static final String PLACEHOLDER = "replace-from-your-secret-store";

    /** apiVersion/kind -> typed model; CloudNativePG's Cluster maps to the generic resource. */
    static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.ofEntries(
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("v1/Service", Service.class),
            // made by kustomize's generators (rendered output only)
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("kafka.strimzi.io/v1/Kafka", Kafka.class),
            Map.entry("kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class),
            Map.entry("postgresql.cnpg.io/v1/Cluster", GenericKubernetesResource.class));

    static final Set<String> KUSTOMIZATION_KEYS = Set.of("apiVersion", "kind", "resources", "labels", "images",
            "replicas", "patches", "configMapGenerator", "secretGenerator", "namespace", "namePrefix",
            "generatorOptions", "components");
    /** CloudNativePG Cluster spec fields this project uses (postgresql.cnpg.io/v1). */
    static final Set<String> CNPG_SPEC_KEYS = Set.of("instances", "imageName", "storage", "bootstrap", "postgresql",
            "resources", "monitoring", "affinity", "backup", "walStorage", "superuserSecret", "enableSuperuserAccess");

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** The version of the build (root pom), which Jib uses as every image's tag. */
    static final String PROJECT_VERSION = System.getProperty("marketbill.version", "unset");

    static {
        SERIALIZATION.registerKubernetesResource("kafka.strimzi.io/v1", "Kafka", Kafka.class);
        SERIALIZATION.registerKubernetesResource("kafka.strimzi.io/v1", "KafkaNodePool", KafkaNodePool.class);
        SERIALIZATION.registerKubernetesResource("kafka.strimzi.io/v1", "KafkaTopic", KafkaTopic.class);
    }

    // ---------------------------------------------------------------- the files

    @Test
    void everyManifestParsesIntoTheTypedModelWithNoUnknownField() throws IOException {
        Kustomizations k = Kustomizations.read();
        List<String> problems = new ArrayList<>();
        int parsed = 0;
        for (Path file : yamlFiles(K8S)) {
            if (k.notManifests.contains(file)) {
                continue;
            }
            boolean patch = k.patches.contains(file);
            for (Map<String, Object> doc : loadAll(file)) {
                problems.addAll(check(K8S.relativize(file).toString(), doc, patch));
                parsed++;
            }
        }
        assertThat(problems).as("manifest problems").isEmpty();
        assertThat(parsed).as("documents parsed").isGreaterThan(20);
    }

    @Test
    void kustomizationsNameExistingFilesAndEveryFileIsNamed() throws IOException {
        Kustomizations k = Kustomizations.read();
        assertThat(k.problems).as("kustomization problems").isEmpty();
        assertThat(k.dirs).as("kustomizations").contains(K8S.resolve("base"), K8S.resolve("overlays/production"),
                K8S.resolve("overlays/small"));
        Set<Path> named = new LinkedHashSet<>(k.referenced);
        named.addAll(k.dirs.stream().map(d -> d.resolve("kustomization.yaml")).toList());
        assertThat(yamlFiles(K8S)).as("every YAML file under deploy/k8s is used by a kustomization")
                .allSatisfy(f -> assertThat(named).contains(f));
    }

    @Test
    void baseIsComplete() throws IOException {
        Kustomizations k = Kustomizations.read();
        Map<String, Object> base = k.byDir.get(K8S.resolve("base"));
        Map<String, String> config = generatorLiterals(base, "configMapGenerator", "marketbill-config");
        Map<String, String> secrets = generatorLiterals(base, "secretGenerator", "marketbill-secrets");
        Map<String, String> db = generatorLiterals(base, "secretGenerator", "marketbill-db-credentials");
        assertThat(secrets.values()).as("no real secret is committed").containsOnly(PLACEHOLDER);
        assertThat(db).containsEntry("password", PLACEHOLDER).containsKey("username");
        assertThat(secrets).containsKeys("ALIYUN_SPI_KEY", "LOGIN_TICKET_SECRET", "NOTIFICATION_LINK_SECRET",
                "ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "SMTP_PASSWORD");
        assertThat(config).containsEntry("SPRING_PROFILES_ACTIVE", "prod");

        List<HasMetadata> all = new ArrayList<>();
        for (Path f : yamlFiles(K8S.resolve("base"))) {
            if (!k.notManifests.contains(f)) {
                loadAll(f).forEach(d -> all.add(typed(d)));
            }
        }
        Kafka kafka = one(all, Kafka.class);
        assertThat(config).containsEntry("KAFKA_BOOTSTRAP_SERVERS",
                kafka.getMetadata().getName() + "-kafka-bootstrap:9092");
        assertThat(config.get("DB_URL")).startsWith("jdbc:postgresql://marketbill-db-rw:5432/");
        GenericKubernetesResource pg = one(all, GenericKubernetesResource.class);
        assertThat(pg.getMetadata().getName()).isEqualTo("marketbill-db");
        assertThat(pg.get("spec", "bootstrap", "initdb", "secret", "name").toString())
                .isEqualTo("marketbill-db-credentials");
        KafkaNodePool pool = one(all, KafkaNodePool.class);
        assertThat(pool.getSpec().getReplicas()).isEqualTo(3);
        assertThat(pool.getSpec().getRoles()).hasSize(2);

        List<KafkaTopic> topics = of(all, KafkaTopic.class);
        assertThat(topics).extracting(t -> t.getSpec().getTopicName()).containsExactlyInAnyOrderElementsOf(TOPICS);
        assertThat(topics).allSatisfy(t -> {
            assertThat(t.getSpec().getReplicas()).isEqualTo(3);
            assertThat(t.getSpec().getConfig()).containsEntry("min.insync.replicas", 2);
            assertThat(t.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", kafka.getMetadata().getName());
        });

        Map<String, Deployment> deployments = deployments(all);
        assertThat(deployments.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
        for (Deployment d : deployments.values()) {
            String name = d.getMetadata().getName();
            var pod = d.getSpec().getTemplate().getSpec();
            var c = pod.getContainers().get(0);
            // the tag Jib gives the image it builds (the project version), so that what is built is what runs
            assertThat(c.getImage()).isEqualTo("ghcr.io/marketbill/" + name + ":" + PROJECT_VERSION);
            assertThat(d.getSpec().getReplicas()).as(name + ": replicas are the autoscaler's to set").isNull();
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).containsKeys("memory");
            assertThat(d.getSpec().getSelector().getMatchLabels())
                    .isEqualTo(Map.of("app.kubernetes.io/name", name))
                    .allSatisfy((key, v) -> assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                            .containsEntry(key, v));
            for (var e : c.getEnv()) {
                var from = e.getValueFrom();
                if (from == null) {
                    continue;
                }
                if (from.getConfigMapKeyRef() != null) {
                    assertThat(from.getConfigMapKeyRef().getName()).isEqualTo("marketbill-config");
                    assertThat(config).as(name + " " + e.getName()).containsKey(from.getConfigMapKeyRef().getKey());
                } else {
                    var ref = from.getSecretKeyRef();
                    Map<String, String> secret = ref.getName().equals("marketbill-db-credentials") ? db : secrets;
                    assertThat(secret).as(name + " " + e.getName()).containsKey(ref.getKey());
                }
            }
            assertThat(of(all, Service.class)).as("Service of " + name)
                    .anySatisfy(s -> {
                        assertThat(s.getMetadata().getName()).isEqualTo(name);
                        assertThat(s.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
                        assertThat(s.getSpec().getPorts().get(0).getPort())
                                .isEqualTo(c.getPorts().get(0).getContainerPort());
                    });
            assertThat(of(all, HorizontalPodAutoscaler.class)).as("autoscaler of " + name)
                    .anySatisfy(h -> assertThat(h.getSpec().getScaleTargetRef().getName()).isEqualTo(name));
        }
        assertThat(one(all, PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "gateway-service"));
    }

    @Test
    void composeRunsTheSameImagesPortsAndVariablesAsTheDeployments() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        for (Path f : yamlFiles(K8S.resolve("base"))) {
            if (!Kustomizations.read().notManifests.contains(f)) {
                loadAll(f).forEach(d -> all.add(typed(d)));
            }
        }
        Map<String, Object> compose = loadAll(COMPOSE).get(0);
        Map<String, Object> services = map(compose.get("services"));
        for (Deployment d : deployments(all).values()) {
            String name = d.getMetadata().getName();
            var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(services).as("compose services").containsKey(name);
            Map<String, Object> s = map(services.get(name));
            assertThat(s.get("image")).as(name + " image").isEqualTo(c.getImage());
            Set<Integer> composePorts = new TreeSet<>();
            // the published ports and those only exposed on compose's network (all but the gateway's)
            for (Object p : Stream.concat(list(s.get("ports")).stream(), list(s.get("expose")).stream()).toList()) {
                String spec = p.toString();
                composePorts.add(Integer.parseInt(spec.substring(spec.lastIndexOf(':') + 1).replace("/tcp", "")));
            }
            assertThat(composePorts).as(name + " container ports")
                    .isEqualTo(c.getPorts().stream().map(p -> p.getContainerPort()).collect(Collectors.toSet()));
            assertThat(new TreeSet<>(map(s.get("environment")).keySet())).as(name + " environment variables")
                    .isEqualTo(c.getEnv().stream().map(e -> e.getName()).collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    /**
     * The rendered overlays (kubectl's kustomize) pass the same checks, every image carries the project version as
     * its tag, and no Deployment that an autoscaler scales sets its own replica count. Without kubectl the test is
     * skipped, except under CI=true, where it fails ({@link RequiredTool}).
     */
    @Test
    void renderedOverlaysParse() throws Exception {
        Path kubectl = RequiredTool.find("kubectl 1.27+, whose built-in kustomize renders the overlays", "kubectl");
        for (String dir : List.of("base", "overlays/production", "overlays/small")) {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", K8S.resolve(dir).toString())
                    .redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
            List<String> problems = new ArrayList<>();
            List<HasMetadata> rendered = new ArrayList<>();
            for (Object doc : yaml().loadAll(out)) {
                List<String> found = check(dir + " (rendered)", map(doc), false);
                problems.addAll(found);
                if (found.isEmpty()) {
                    rendered.add(typed(map(doc)));
                }
            }
            assertThat(problems).isEmpty();
            assertThat(rendered).hasSizeGreaterThan(20);
            Set<String> scaled = of(rendered, HorizontalPodAutoscaler.class).stream()
                    .map(h -> h.getSpec().getScaleTargetRef().getName()).collect(Collectors.toSet());
            for (Deployment d : deployments(rendered).values()) {
                String name = d.getMetadata().getName();
                assertThat(scaled).as(dir + ": autoscalers").contains(name);
                assertThat(d.getSpec().getReplicas()).as(dir + " " + name + ": replicas are the autoscaler's").isNull();
                assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                        .isEqualTo("ghcr.io/marketbill/" + name + ":" + PROJECT_VERSION);
            }
        }
    }

    // ---------------------------------------------------------------- checking one document

    static List<String> check(String where, Map<String, Object> doc, boolean patch) {
        List<String> problems = new ArrayList<>();
        String id = doc.get("apiVersion") + "/" + doc.get("kind");
        String at = where + " " + id + " " + map(doc.getOrDefault("metadata", Map.of())).get("name");
        if (doc.get("kind") == null || !KINDS.containsKey(id)) {
            problems.add(at + ": unknown kind (known: " + KINDS.keySet() + ")");
            return problems;
        }
        Object typed;
        try {
            typed = typed(doc);
        } catch (RuntimeException e) {
            problems.add(at + ": does not parse: " + e.getMessage());
            return problems;
        }
        if (typed.getClass() != KINDS.get(id)) {
            problems.add(at + ": parsed as " + typed.getClass().getName() + ", expected " + KINDS.get(id).getName());
            return problems;
        }
        if (typed instanceof GenericKubernetesResource generic) {
            problems.addAll(checkCloudNativePg(at, generic, patch));
        } else {
            unknownFields(at, typed, "", problems, new IdentityHashMap<>());
            // what the model kept must be what the file says: nothing dropped or reinterpreted
            Map<String, Object> again = map(yaml().load(SERIALIZATION.asYaml(typed)));
            if (!normalize(again).equals(normalize(doc))) {
                problems.add(at + ": does not survive the typed model unchanged:\n  file:  " + normalize(doc)
                        + "\n  model: " + normalize(again));
            }
        }
        return problems;
    }

    static HasMetadata typed(Map<String, Object> doc) {
        return SERIALIZATION.unmarshal(SERIALIZATION.asJson(doc));
    }

    /** fabric8 and Strimzi keep unknown fields in additionalProperties instead of failing: any there is an error. */
    static void unknownFields(String at, Object o, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(at, v, path + "." + k, problems, seen));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(at, e, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        String pkg = o.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8.kubernetes.api.model") && !pkg.startsWith("io.strimzi.api")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(at + ": unknown field(s) at " + (path.isEmpty() ? "/" : path) + ": " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            unknownFields(at, v, path + "." + field, problems, seen);
        }
    }

    static List<String> checkCloudNativePg(String at, GenericKubernetesResource r, boolean patch) {
        List<String> problems = new ArrayList<>();
        if (!r.getAdditionalProperties().keySet().equals(Set.of("spec"))) {
            problems.add(at + ": top-level fields must be apiVersion, kind, metadata, spec; found extra "
                    + r.getAdditionalProperties().keySet());
        }
        Map<String, Object> spec = map(r.getAdditionalProperties().get("spec"));
        Set<String> unknown = new TreeSet<>(spec.keySet());
        unknown.removeAll(CNPG_SPEC_KEYS);
        if (!unknown.isEmpty()) {
            problems.add(at + ": unknown CloudNativePG spec field(s) " + unknown);
        }
        if (!"marketbill-db".equals(r.getMetadata().getName())) {
            problems.add(at + ": the cluster must be named marketbill-db (the services use marketbill-db-rw)");
        }
        if (spec.containsKey("instances") && !(spec.get("instances") instanceof Integer i && i >= 1)) {
            problems.add(at + ": spec.instances must be a positive integer");
        }
        if (!patch) {
            for (String required : List.of("instances", "storage.size", "bootstrap.initdb.database",
                    "bootstrap.initdb.owner", "bootstrap.initdb.secret.name")) {
                Object v = spec;
                for (String part : required.split("\\.")) {
                    v = v instanceof Map<?, ?> m ? m.get(part) : null;
                }
                if (v == null) {
                    problems.add(at + ": spec." + required + " is required");
                }
            }
        }
        return problems;
    }

    /** Compares YAML trees with scalars as text (the model writes 2 where the file said "2", and so on). */
    static Object normalize(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.TreeMap<>();
            m.forEach((k, v) -> {
                Object n = normalize(v);
                if (n != null && !(n instanceof Map<?, ?> nm && nm.isEmpty() && !"{}".equals(String.valueOf(v)))) {
                    out.put(k.toString(), n);
                }
            });
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(ManifestsTest::normalize).toList();
        }
        return o == null ? null : o.toString();
    }

    // ---------------------------------------------------------------- kustomizations

    static final class Kustomizations {
        final Set<Path> dirs = new LinkedHashSet<>();
        final Map<Path, Map<String, Object>> byDir = new LinkedHashMap<>();
        final Set<Path> referenced = new LinkedHashSet<>();
        /** strategic-merge patches: partial resources */
        final Set<Path> patches = new LinkedHashSet<>();
        /** generator inputs and JSON 6902 patches */
        final Set<Path> notManifests = new LinkedHashSet<>();
        final List<String> problems = new ArrayList<>();

        static Kustomizations read() throws IOException {
            Kustomizations k = new Kustomizations();
            for (Path f : yamlFiles(K8S)) {
                if (f.getFileName().toString().equals("kustomization.yaml")) {
                    k.read(f);
                }
            }
            return k;
        }

        private void read(Path file) throws IOException {
            Path dir = file.getParent();
            dirs.add(dir);
            notManifests.add(file);
            Map<String, Object> kz = loadAll(file).get(0);
            byDir.put(dir, kz);
            String at = K8S.relativize(file).toString();
            if (!"kustomize.config.k8s.io/v1beta1".equals(kz.get("apiVersion")) || !"Kustomization".equals(kz.get("kind"))) {
                problems.add(at + ": apiVersion/kind must be kustomize.config.k8s.io/v1beta1 Kustomization");
            }
            Set<String> unknown = new TreeSet<>(kz.keySet());
            unknown.removeAll(KUSTOMIZATION_KEYS);
            if (!unknown.isEmpty()) {
                problems.add(at + ": unknown field(s) " + unknown);
            }
            for (Object r : list(kz.get("resources"))) {
                Path p = dir.resolve(r.toString()).normalize();
                if (Files.isDirectory(p)) {
                    if (!Files.exists(p.resolve("kustomization.yaml"))) {
                        problems.add(at + ": resource directory without kustomization.yaml: " + r);
                    }
                } else {
                    use(at, p, r);
                }
            }
            for (Object o : list(kz.get("patches"))) {
                Map<String, Object> patch = map(o);
                if (patch.get("path") != null) {
                    Path p = dir.resolve(patch.get("path").toString()).normalize();
                    use(at, p, patch.get("path"));
                    if (Files.exists(p)) {
                        Object content = yaml().loadAll(Files.readString(p)).iterator().next();
                        if (content instanceof List<?> ops) {
                            notManifests.add(p);
                            checkJsonPatch(at + " " + patch.get("path"), ops, patch.get("target"));
                        } else {
                            patches.add(p);
                        }
                    }
                } else if (patch.get("patch") == null) {
                    problems.add(at + ": a patch needs path or patch");
                }
            }
            for (String generator : List.of("configMapGenerator", "secretGenerator")) {
                for (Object o : list(kz.get(generator))) {
                    Map<String, Object> g = map(o);
                    for (String key : List.of("files", "envs")) {
                        for (Object f : list(g.get(key))) {
                            String name = f.toString();
                            Path p = dir.resolve(name.substring(name.indexOf('=') + 1)).normalize();
                            use(at, p, f);
                            notManifests.add(p);
                        }
                    }
                    for (Object l : list(g.get("literals"))) {
                        if (!l.toString().contains("=")) {
                            problems.add(at + ": literal without '=': " + l);
                        }
                    }
                }
            }
        }

        private void use(String at, Path p, Object name) {
            if (!Files.isRegularFile(p)) {
                problems.add(at + ": names a missing file: " + name);
            }
            referenced.add(p);
        }

        private void checkJsonPatch(String at, List<?> ops, Object target) {
            if (target == null) {
                problems.add(at + ": a JSON 6902 patch needs a target");
            }
            for (Object o : ops) {
                Map<String, Object> op = map(o);
                if (!Set.of("add", "remove", "replace", "move", "copy", "test").contains(op.get("op"))
                        || !String.valueOf(op.get("path")).startsWith("/")) {
                    problems.add(at + ": not a JSON patch operation: " + op);
                }
            }
        }
    }

    static Map<String, String> generatorLiterals(Map<String, Object> kz, String generator, String name) {
        for (Object o : list(kz.get(generator))) {
            Map<String, Object> g = map(o);
            if (name.equals(g.get("name"))) {
                Map<String, String> out = new LinkedHashMap<>();
                for (Object l : list(g.get("literals"))) {
                    String s = l.toString();
                    out.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
                }
                return out;
            }
        }
        throw new AssertionError(generator + " " + name + " is missing");
    }

    // ---------------------------------------------------------------- helpers

    static Map<String, Deployment> deployments(List<HasMetadata> all) {
        Map<String, Deployment> out = new LinkedHashMap<>();
        of(all, Deployment.class).forEach(d -> out.put(d.getMetadata().getName(), d));
        return out;
    }

    static <T> List<T> of(List<HasMetadata> all, Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T> T one(List<HasMetadata> all, Class<T> type) {
        List<T> found = of(all, type);
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    static List<Path> yamlFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .map(Path::normalize).sorted().toList();
        }
    }

    static List<Map<String, Object>> loadAll(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object d : yaml().loadAll(Files.readString(file))) {
            if (d != null) {
                docs.add(map(d));
            }
        }
        return docs;
    }

    static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) {
            throw new AssertionError("expected a mapping, got " + o);
        }
        return (Map<String, Object>) o;
    }

    static List<?> list(Object o) {
        return o == null ? List.of() : (List<?>) o;
    }
}

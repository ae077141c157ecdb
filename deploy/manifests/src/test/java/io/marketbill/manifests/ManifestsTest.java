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
import io.strimzi.api.kafka.model.user.KafkaUser;
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

    /** The services of base and of every overlay; the simulator only in overlays/development. */
    static final List<String> SERVICES = List.of("gateway-service", "subscription-service", "binding-service",
            "billing-service", "notification-service");
    static final String SIMULATOR = "marketplace-simulator";
    static final List<String> OVERLAYS = List.of("base", "overlays/production", "overlays/small",
            "overlays/development");
    /**
     * Kafka client security, set on every Deployment from the Strimzi-generated Secrets; compose's single
     * development broker is plain, so compose has none of them.
     */
    static final Set<String> KAFKA_SECURITY_VARIABLES = Set.of("SPRING_KAFKA_SECURITY_PROTOCOL",
            "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG",
            "SPRING_KAFKA_SSL_TRUSTSTORETYPE", "SPRING_KAFKA_SSL_TRUSTSTORECERTIFICATES");
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
            Map.entry("kafka.strimzi.io/v1/KafkaUser", KafkaUser.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy",
                    io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("postgresql.cnpg.io/v1/Cluster", GenericKubernetesResource.class));

    static final Set<String> KUSTOMIZATION_KEYS = Set.of("apiVersion", "kind", "resources", "labels", "images",
            "replicas", "patches", "configMapGenerator", "secretGenerator", "namespace", "namePrefix",
            "generatorOptions", "components");
    /** CloudNativePG Cluster spec fields this project uses (postgresql.cnpg.io/v1). */
    static final Set<String> CNPG_SPEC_KEYS = Set.of("instances", "imageName", "storage", "bootstrap", "postgresql",
            "resources", "monitoring", "affinity", "backup", "walStorage", "superuserSecret", "enableSuperuserAccess",
            "managed");

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** The version of the build (root pom), which Jib uses as every image's tag. */
    static final String PROJECT_VERSION = System.getProperty("marketbill.version", "unset");

    static {
        SERIALIZATION.registerKubernetesResource("kafka.strimzi.io/v1", "Kafka", Kafka.class);
        SERIALIZATION.registerKubernetesResource("kafka.strimzi.io/v1", "KafkaNodePool", KafkaNodePool.class);
        SERIALIZATION.registerKubernetesResource("kafka.strimzi.io/v1", "KafkaTopic", KafkaTopic.class);
        SERIALIZATION.registerKubernetesResource("kafka.strimzi.io/v1", "KafkaUser", KafkaUser.class);
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
        assertThat(k.dirs).as("kustomizations").containsAll(OVERLAYS.stream().map(K8S::resolve).toList());
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
                kafka.getMetadata().getName() + "-kafka-bootstrap:"
                        + kafka.getSpec().getKafka().getListeners().get(0).getPort());
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
            // the probes on the service port (Boot's /readyz and /livez); actuator on a management port of its own,
            // which Prometheus scrapes and no Service routes (so no ingress can)
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
            assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
            assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
            Map<String, Integer> containerPorts = new java.util.TreeMap<>();
            c.getPorts().forEach(port -> containerPorts.put(port.getName(), port.getContainerPort()));
            assertThat(containerPorts).as(name + " ports").containsOnlyKeys("http", "management");
            assertThat(containerPorts.get("management")).isEqualTo(containerPorts.get("http") + 100);
            assertThat(c.getEnv()).as(name + " sets its management port").anySatisfy(e -> {
                assertThat(e.getName()).endsWith("_MANAGEMENT_PORT");
                assertThat(e.getValue()).isEqualTo(containerPorts.get("management").toString());
            });
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("prometheus.io/port", containerPorts.get("management").toString())
                    .containsEntry("prometheus.io/path", "/actuator/prometheus");
            assertThat(of(all, io.fabric8.kubernetes.api.model.Service.class)).filteredOn(
                            svc -> svc.getMetadata().getName().equals(name))
                    .singleElement().satisfies(svc -> assertThat(svc.getSpec().getPorts()).allSatisfy(port ->
                            assertThat(port.getTargetPort().getStrVal()).as(name + " Service").isEqualTo("http")));
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
                    if (ref.getName().equals(name) || ref.getName().equals(kafka.getMetadata().getName() + "-cluster-ca-cert")) {
                        // written by Strimzi: the KafkaUser's credentials and the cluster CA's certificate
                        assertThat(ref.getKey()).as(name + " " + e.getName()).isIn("sasl.jaas.config", "ca.crt");
                        continue;
                    }
                    Map<String, String> secret = ref.getName().equals("marketbill-db-" + name)
                            ? generatorLiterals(base, "secretGenerator", ref.getName()) : secrets;
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
                    .isEqualTo(c.getEnv().stream().map(e -> e.getName()).filter(v -> !KAFKA_SECURITY_VARIABLES.contains(v))
                            .collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    /**
     * The rendered overlays (kubectl's kustomize) pass the same checks, every image carries the project version as
     * its tag, and no Deployment that an autoscaler scales sets its own replica count. Without kubectl the test is
     * skipped, except under CI=true, where it fails ({@link RequiredTool}).
     */
    @Test
    void renderedOverlaysParse() throws Exception {
        for (String dir : OVERLAYS) {
            String out = Rendered.text(dir);
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

    // ---------------------------------------------------------------- the boundaries (docs/security.md)

    /**
     * Every flow the NetworkPolicies admit, restated here from the services' configuration on purpose (the
     * *_URL settings, Kafka, PostgreSQL, the marketplaces, SMTP): "IN pods <- peer port" and "OUT pods -> peer port".
     * Short names: a service's app.kubernetes.io/name; kafka, the brokers; strimzi, every pod of the Kafka cluster;
     * postgres, the CloudNativePG instances; internet, any address but the private ranges; any-address, the
     * Kubernetes API server wherever it is.
     */
    static final Set<String> FLOWS = Set.of(
            "OUT * -> kube-dns UDP/53", "OUT * -> kube-dns TCP/53",
            "IN gateway-service <- ingress-controller TCP/8080", "IN gateway-service <- prometheus TCP/8180",
            "OUT gateway-service -> subscription-service TCP/8081", "OUT gateway-service -> binding-service TCP/8082",
            "OUT gateway-service -> billing-service TCP/8083", "OUT gateway-service -> notification-service TCP/8084",
            "OUT gateway-service -> kafka TCP/9093", "OUT gateway-service -> internet TCP/443",
            "IN subscription-service <- gateway-service TCP/8081", "IN subscription-service <- binding-service TCP/8081",
            "IN subscription-service <- prometheus TCP/8181",
            "OUT subscription-service -> kafka TCP/9093", "OUT subscription-service -> postgres TCP/5432",
            "OUT subscription-service -> internet TCP/443",
            "IN binding-service <- gateway-service TCP/8082", "IN binding-service <- billing-service TCP/8082",
            "IN binding-service <- prometheus TCP/8182",
            "OUT binding-service -> subscription-service TCP/8081", "OUT binding-service -> billing-service TCP/8083",
            "OUT binding-service -> notification-service TCP/8084", "OUT binding-service -> kafka TCP/9093",
            "OUT binding-service -> postgres TCP/5432", "OUT binding-service -> internet TCP/443",
            "IN billing-service <- gateway-service TCP/8083", "IN billing-service <- binding-service TCP/8083",
            "IN billing-service <- prometheus TCP/8183",
            "OUT billing-service -> binding-service TCP/8082", "OUT billing-service -> kafka TCP/9093",
            "OUT billing-service -> postgres TCP/5432", "OUT billing-service -> internet TCP/443",
            "IN notification-service <- gateway-service TCP/8084", "IN notification-service <- binding-service TCP/8084",
            "IN notification-service <- prometheus TCP/8184",
            "OUT notification-service -> kafka TCP/9093", "OUT notification-service -> postgres TCP/5432",
            "OUT notification-service -> internet TCP/587", "OUT notification-service -> internet TCP/993",
            "OUT notification-service -> internet TCP/443",
            "IN postgres <- subscription-service TCP/5432", "IN postgres <- binding-service TCP/5432",
            "IN postgres <- billing-service TCP/5432", "IN postgres <- notification-service TCP/5432",
            "IN postgres <- postgres TCP/5432", "IN postgres <- postgres TCP/8000", "IN postgres <- cnpg-operator TCP/8000",
            "OUT postgres -> postgres TCP/5432", "OUT postgres -> postgres TCP/8000",
            "OUT postgres -> any-address TCP/443", "OUT postgres -> any-address TCP/6443",
            "OUT strimzi -> strimzi TCP/9090", "OUT strimzi -> strimzi TCP/9091", "OUT strimzi -> strimzi TCP/9093",
            "OUT entity-operator -> any-address TCP/443", "OUT entity-operator -> any-address TCP/6443");
    /** What overlays/development adds for the simulator. */
    static final Set<String> DEVELOPMENT_FLOWS = Set.of(
            "IN marketplace-simulator <- gateway-service TCP/8090", "IN marketplace-simulator <- binding-service TCP/8090",
            "IN marketplace-simulator <- billing-service TCP/8090", "OUT marketplace-simulator -> gateway-service TCP/8080",
            "IN gateway-service <- marketplace-simulator TCP/8080", "OUT gateway-service -> marketplace-simulator TCP/8090",
            "OUT binding-service -> marketplace-simulator TCP/8090", "OUT billing-service -> marketplace-simulator TCP/8090");

    @Test
    void everythingIsDeniedAndOnlyTheArchitecturesFlowsAreAdmitted() throws Exception {
        for (String dir : OVERLAYS) {
            List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies =
                    of(Rendered.objects(dir), io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
            assertThat(policies).as(dir + ": a default deny of both directions for every pod").anySatisfy(np -> {
                assertThat(np.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
                assertThat(np.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
                assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
                assertThat(np.getSpec().getIngress()).isNullOrEmpty();
                assertThat(np.getSpec().getEgress()).isNullOrEmpty();
            });
            Set<String> expected = new TreeSet<>(FLOWS);
            if (dir.equals("overlays/development")) {
                expected.addAll(DEVELOPMENT_FLOWS);
            }
            assertThat(new TreeSet<>(flows(policies))).as(dir + ": the flows the NetworkPolicies admit").isEqualTo(expected);
        }
    }

    static List<String> flows(List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies) {
        List<String> out = new ArrayList<>();
        for (var np : policies) {
            String pods = selector(null, np.getSpec().getPodSelector());
            List<String> types = np.getSpec().getPolicyTypes();
            assertThat(types).as(np.getMetadata().getName() + ": policyTypes stated").isNotEmpty();
            for (var r : np.getSpec().getIngress()) {
                // a rule without "from" or "ports" would admit everyone or every port
                assertThat(r.getFrom()).as(np.getMetadata().getName() + ": ingress from").isNotEmpty();
                assertThat(r.getPorts()).as(np.getMetadata().getName() + ": ingress ports").isNotEmpty();
                for (var peer : r.getFrom()) {
                    for (var port : r.getPorts()) {
                        out.add("IN " + pods + " <- " + peer(peer) + " " + port.getProtocol() + "/" + port.getPort().getIntVal());
                    }
                }
            }
            for (var r : np.getSpec().getEgress()) {
                assertThat(r.getTo()).as(np.getMetadata().getName() + ": egress to").isNotEmpty();
                assertThat(r.getPorts()).as(np.getMetadata().getName() + ": egress ports").isNotEmpty();
                for (var peer : r.getTo()) {
                    for (var port : r.getPorts()) {
                        out.add("OUT " + pods + " -> " + peer(peer) + " " + port.getProtocol() + "/" + port.getPort().getIntVal());
                    }
                }
            }
        }
        return out;
    }

    static String peer(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer p) {
        if (p.getIpBlock() != null) {
            var b = p.getIpBlock();
            if (b.getCidr().equals("0.0.0.0/0") && (b.getExcept() == null || b.getExcept().isEmpty())) {
                return "any-address";
            }
            if (b.getCidr().equals("0.0.0.0/0")
                    && Set.copyOf(b.getExcept()).equals(Set.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))) {
                return "internet";
            }
            return "cidr " + b.getCidr() + " except " + b.getExcept();
        }
        return selector(p.getNamespaceSelector(), p.getPodSelector());
    }

    static String selector(io.fabric8.kubernetes.api.model.LabelSelector ns, io.fabric8.kubernetes.api.model.LabelSelector pods) {
        assertThat(pods == null || pods.getMatchExpressions() == null || pods.getMatchExpressions().isEmpty())
                .as("selectors by labels only").isTrue();
        String n = ns == null ? null : String.valueOf(new java.util.TreeMap<>(ns.getMatchLabels()));
        String l = pods == null ? null : String.valueOf(new java.util.TreeMap<>(
                pods.getMatchLabels() == null ? Map.of() : pods.getMatchLabels()));
        String key = (n == null ? "" : "ns" + n) + (l == null ? "" : "pods" + l);
        return switch (key) {
            case "pods{}" -> "*";
            case "pods{strimzi.io/cluster=marketbill, strimzi.io/kind=Kafka, strimzi.io/name=marketbill-kafka}" -> "kafka";
            case "pods{strimzi.io/cluster=marketbill}" -> "strimzi";
            case "pods{strimzi.io/cluster=marketbill, strimzi.io/name=marketbill-entity-operator}" -> "entity-operator";
            case "pods{cnpg.io/cluster=marketbill-db}" -> "postgres";
            case "ns{kubernetes.io/metadata.name=kube-system}pods{k8s-app=kube-dns}" -> "kube-dns";
            case "ns{kubernetes.io/metadata.name=ingress-nginx}" -> "ingress-controller";
            case "ns{kubernetes.io/metadata.name=monitoring}pods{app.kubernetes.io/name=prometheus}" -> "prometheus";
            case "ns{kubernetes.io/metadata.name=cnpg-system}pods{app.kubernetes.io/name=cloudnative-pg}" -> "cnpg-operator";
            default -> n == null && pods.getMatchLabels() != null && pods.getMatchLabels().size() == 1
                    && pods.getMatchLabels().containsKey("app.kubernetes.io/name")
                    ? pods.getMatchLabels().get("app.kubernetes.io/name") : key;
        };
    }

    /**
     * Who writes and reads which topic, restated from event-contracts/README.md and the services' code (Topics.*,
     * @KafkaListener, the consumer groups of their application.yml) on purpose: a service writes what it produces
     * (itself or through its outbox relay), reads what it consumes under its own groups, and writes and may create
     * the dead-letter topic of each (topic, group) it consumes, <topic>.<group>.dlt.
     */
    record KafkaClient(List<String> writes, Map<String, List<String>> readsByGroup, List<String> groupPrefixes) {
    }

    static final Map<String, KafkaClient> KAFKA_CLIENTS = Map.of(
            "gateway-service", new KafkaClient(List.of("marketplace.subscriptions.v1", "usage.v1"), Map.of(), List.of()),
            "subscription-service", new KafkaClient(List.of("marketplace.subscriptions.v1"),
                    Map.of("subscription-service", List.of("marketplace.subscriptions.v1")), List.of()),
            "binding-service", new KafkaClient(List.of("binding.v1", "directory.v1"),
                    Map.of("binding-service", List.of("marketplace.subscriptions.v1", "directory.v1")), List.of()),
            // the usage intake is @KafkaListener(id = "usage-intake"): Spring Kafka makes the id its group
            "billing-service", new KafkaClient(List.of("billing.v1"),
                    Map.of("billing-service", List.of("marketplace.subscriptions.v1", "binding.v1"),
                            "usage-intake", List.of("usage.v1")), List.of()),
            "notification-service", new KafkaClient(List.of(),
                    Map.of("notification-service", List.of("marketplace.subscriptions.v1", "binding.v1", "billing.v1",
                            "directory.v1")), List.of()),
            // the vendor's platform: the directory's source, a usage producer, and a reader of bindings and billing
            "platform", new KafkaClient(List.of("directory.v1", "usage.v1"),
                    Map.of("", List.of("binding.v1", "billing.v1")), List.of("platform")));

    static Set<String> expectedAcls(KafkaClient c) {
        Set<String> out = new TreeSet<>();
        c.writes().forEach(t -> out.add("topic " + t + " literal [Write, Describe]"));
        c.readsByGroup().forEach((group, topics) -> {
            if (!group.isEmpty()) {
                out.add("group " + group + " literal [Read]");
            }
            for (String t : topics) {
                out.add("topic " + t + " literal [Read, Describe]");
                if (!group.isEmpty()) {
                    out.add("topic " + t + "." + group + ".dlt literal [Write, Describe, Create]");
                }
            }
        });
        c.groupPrefixes().forEach(g -> out.add("group " + g + " prefix [Read]"));
        return out;
    }

    @Test
    void everyKafkaClientIsAUserWithTheAclsOfTheTopicTable() throws Exception {
        for (String dir : OVERLAYS) {
            List<HasMetadata> all = Rendered.objects(dir);
            Map<String, Set<String>> actual = new java.util.TreeMap<>();
            for (KafkaUser u : of(all, KafkaUser.class)) {
                String name = u.getMetadata().getName();
                assertThat(u.getMetadata().getLabels()).as(name).containsEntry("strimzi.io/cluster", "marketbill");
                assertThat(u.getSpec().getAuthentication().getType()).as(name + " authentication").isEqualTo("scram-sha-512");
                var authz = (io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple) u.getSpec().getAuthorization();
                Set<String> acls = new TreeSet<>();
                for (var acl : authz.getAcls()) {
                    assertThat(acl.getHost()).as(name + ": any host").isIn(null, "*");
                    assertThat(acl.getType()).as(name + ": allow rules only").isIn(null,
                            io.strimzi.api.kafka.model.user.acl.AclRuleType.ALLOW);
                    String resource = switch (acl.getResource()) {
                        case io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource r ->
                                "topic " + r.getName() + " " + r.getPatternType().toValue();
                        case io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource r ->
                                "group " + r.getName() + " " + r.getPatternType().toValue();
                        default -> acl.getResource().getType() + " (not expected)";
                    };
                    acls.add(resource + " " + acl.getOperations().stream().map(o -> o.toValue()).toList());
                }
                actual.put(name, acls);
            }
            Map<String, Set<String>> expected = new java.util.TreeMap<>();
            KAFKA_CLIENTS.forEach((name, c) -> expected.put(name, expectedAcls(c)));
            assertThat(actual).as(dir + ": KafkaUsers and their ACLs").isEqualTo(expected);
            // nothing but the producers in the table writes a topic: only the gateway (and subscription-service's
            // outbox) writes the lifecycle, only the gateway and the platform usage, only the platform and
            // binding-service the directory
            Map<String, Set<String>> writers = new java.util.TreeMap<>();
            actual.forEach((user, acls) -> acls.stream().filter(a -> a.startsWith("topic ") && a.contains("Write")
                    && !a.contains(".dlt ")).forEach(a -> writers.computeIfAbsent(a.split(" ")[1], x -> new TreeSet<>()).add(user)));
            assertThat(writers).as(dir + ": who writes each topic").isEqualTo(Map.of(
                    "marketplace.subscriptions.v1", Set.of("gateway-service", "subscription-service"),
                    "usage.v1", Set.of("gateway-service", "platform"),
                    "directory.v1", Set.of("binding-service", "platform"),
                    "binding.v1", Set.of("binding-service"),
                    "billing.v1", Set.of("billing-service")));
            // each Deployment that uses Kafka authenticates as its own user
            for (Deployment d : deployments(all).values()) {
                String name = d.getMetadata().getName();
                if (name.equals(SIMULATOR)) {
                    assertThat(env(d)).as("the simulator uses no Kafka").doesNotContainKey("KAFKA_BOOTSTRAP_SERVERS");
                    continue;
                }
                Map<String, io.fabric8.kubernetes.api.model.EnvVar> env = env(d);
                assertThat(env).as(name).containsKeys(KAFKA_SECURITY_VARIABLES.toArray(String[]::new));
                assertThat(env.get("SPRING_KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SASL_SSL");
                assertThat(env.get("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM").getValue()).isEqualTo("SCRAM-SHA-512");
                var jaas = env.get("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG").getValueFrom().getSecretKeyRef();
                assertThat(jaas.getName()).as(name + ": its own KafkaUser's Secret").isEqualTo(name);
                assertThat(jaas.getKey()).isEqualTo("sasl.jaas.config");
                assertThat(actual).as(name + ": has a KafkaUser").containsKey(name);
                var ca = env.get("SPRING_KAFKA_SSL_TRUSTSTORECERTIFICATES").getValueFrom().getSecretKeyRef();
                assertThat(ca.getName() + "/" + ca.getKey()).isEqualTo("marketbill-cluster-ca-cert/ca.crt");
            }
        }
    }

    @Test
    void theKafkaListenerIsTlsWithAuthenticationAndSimpleAuthorization() throws Exception {
        for (String dir : OVERLAYS) {
            List<HasMetadata> all = Rendered.objects(dir);
            Kafka kafka = one(all, Kafka.class);
            var listeners = kafka.getSpec().getKafka().getListeners();
            assertThat(listeners).as(dir + ": listeners").isNotEmpty().allSatisfy(l -> {
                assertThat(l.isTls()).as(l.getName() + ": tls").isTrue();
                assertThat(l.getAuth()).as(l.getName() + ": authentication").isNotNull();
                assertThat(l.getAuth().getType()).as(l.getName() + ": authentication").isIn("scram-sha-512", "tls");
                // Strimzi's NetworkPolicy for the listener admits only these
                assertThat(l.getNetworkPolicyPeers()).as(l.getName() + ": peers").isNotEmpty();
            });
            assertThat(kafka.getSpec().getKafka().getAuthorization()).as(dir + ": authorization").isNotNull();
            assertThat(kafka.getSpec().getKafka().getAuthorization().getType()).isEqualTo("simple");
            assertThat(kafka.getSpec().getEntityOperator().getUserOperator()).as("the User Operator").isNotNull();
            Set<String> peers = new TreeSet<>();
            listeners.get(0).getNetworkPolicyPeers().forEach(p -> peers.add(peer(p)));
            Set<String> expectedPeers = new TreeSet<>(SERVICES);
            expectedPeers.add("ns{marketbill.io/kafka-client=platform}");
            assertThat(peers).as(dir + ": who may connect to the brokers").isEqualTo(expectedPeers);
        }
    }

    /** service -> (role, schema): the schema is the service's flyway.schemas. */
    static final Map<String, List<String>> DATABASE_ROLES = Map.of(
            "subscription-service", List.of("subscription_service", "subscription"),
            "binding-service", List.of("binding_service", "binding"),
            "billing-service", List.of("billing_service", "billing"),
            "notification-service", List.of("notification_service", "notification"));

    @Test
    void eachServiceUsesItsOwnDatabaseRoleThatOwnsOnlyItsSchema() throws Exception {
        for (String dir : OVERLAYS) {
            List<HasMetadata> all = Rendered.objects(dir);
            GenericKubernetesResource pg = one(all, GenericKubernetesResource.class);
            List<?> roles = (List<?>) pg.get("spec", "managed", "roles");
            assertThat(roles).as(dir + ": managed roles").isNotNull();
            Map<String, String> secretOfRole = new java.util.TreeMap<>();
            for (Object o : roles) {
                Map<String, Object> r = map(o);
                assertThat(r).as(String.valueOf(r.get("name"))).containsEntry("login", true).containsEntry("superuser", false)
                        .containsEntry("createrole", false).containsEntry("createdb", false);
                secretOfRole.put(r.get("name").toString(), map(r.get("passwordSecret")).get("name").toString());
            }
            Map<String, String> expectedSecrets = new java.util.TreeMap<>();
            DATABASE_ROLES.forEach((svc, rs) -> expectedSecrets.put(rs.get(0), "marketbill-db-" + svc));
            assertThat(secretOfRole).as(dir + ": one role per service, each with its own Secret").isEqualTo(expectedSecrets);
            List<String> sql = ((List<?>) pg.get("spec", "bootstrap", "initdb", "postInitApplicationSQL")).stream()
                    .map(Object::toString).toList();
            DATABASE_ROLES.forEach((svc, rs) -> assertThat(sql).as(dir + ": " + svc + "'s schema")
                    .contains("CREATE SCHEMA " + rs.get(1) + " AUTHORIZATION " + rs.get(0)));
            assertThat(sql).noneMatch(s -> s.toUpperCase().contains("GRANT"));
            Map<String, io.fabric8.kubernetes.api.model.Secret> secrets = new LinkedHashMap<>();
            of(all, io.fabric8.kubernetes.api.model.Secret.class).forEach(s -> secrets.put(s.getMetadata().getName(), s));
            expectedSecrets.forEach((role, secret) -> {
                assertThat(secrets).as(dir).containsKey(secret);
                String user = secrets.get(secret).getData() != null && secrets.get(secret).getData().get("username") != null
                        ? new String(java.util.Base64.getDecoder().decode(secrets.get(secret).getData().get("username")))
                        : secrets.get(secret).getStringData().get("username");
                assertThat(user).as(secret + ": the username is the role").isEqualTo(role);
            });
            for (Deployment d : deployments(all).values()) {
                String name = d.getMetadata().getName();
                Map<String, io.fabric8.kubernetes.api.model.EnvVar> env = env(d);
                if (!DATABASE_ROLES.containsKey(name)) {
                    assertThat(env).as(name + ": no database").doesNotContainKeys("DB_URL", "DB_USER", "DB_PASSWORD");
                    continue;
                }
                for (String v : List.of("DB_USER", "DB_PASSWORD")) {
                    var ref = env.get(v).getValueFrom().getSecretKeyRef();
                    assertThat(ref.getName()).as(dir + " " + name + " " + v).isEqualTo("marketbill-db-" + name);
                    assertThat(ref.getKey()).isEqualTo(v.equals("DB_USER") ? "username" : "password");
                }
            }
        }
    }

    @Test
    void everyPodRunsRestricted() throws Exception {
        for (String dir : OVERLAYS) {
            for (Deployment d : deployments(Rendered.objects(dir)).values()) {
                String at = dir + " " + d.getMetadata().getName();
                var pod = d.getSpec().getTemplate().getSpec();
                assertThat(pod.getAutomountServiceAccountToken()).as(at + ": automountServiceAccountToken").isFalse();
                var psc = pod.getSecurityContext();
                assertThat(psc.getRunAsNonRoot()).as(at + ": runAsNonRoot").isTrue();
                assertThat(psc.getRunAsUser()).as(at + ": runAsUser").isNotNull().isPositive();
                assertThat(psc.getSeccompProfile().getType()).as(at + ": seccomp").isEqualTo("RuntimeDefault");
                Set<String> emptyDirs = pod.getVolumes().stream().filter(v -> v.getEmptyDir() != null)
                        .map(v -> v.getName()).collect(Collectors.toSet());
                assertThat(pod.getInitContainers()).as(at + ": no init containers to check").isNullOrEmpty();
                for (var c : pod.getContainers()) {
                    var sc = c.getSecurityContext();
                    assertThat(sc.getAllowPrivilegeEscalation()).as(at + ": allowPrivilegeEscalation").isFalse();
                    assertThat(sc.getReadOnlyRootFilesystem()).as(at + ": readOnlyRootFilesystem").isTrue();
                    assertThat(sc.getCapabilities().getDrop()).as(at + ": capabilities dropped").containsExactly("ALL");
                    assertThat(sc.getCapabilities().getAdd()).as(at + ": capabilities added").isNullOrEmpty();
                    assertThat(sc.getPrivileged()).as(at + ": privileged").isIn(null, false);
                    assertThat(c.getVolumeMounts()).as(at + ": a writable /tmp")
                            .anySatisfy(m -> {
                                assertThat(m.getMountPath()).isEqualTo("/tmp");
                                assertThat(emptyDirs).contains(m.getName());
                            });
                }
            }
        }
    }

    /** What only the development overlay may contain: the simulator, its development login, its port. */
    static final List<String> DEVELOPMENT_ONLY = List.of(SIMULATOR, "dev-login", "SIMULATOR_", ":8090");

    @Test
    void theSimulatorAndTheDevelopmentLoginAreOnlyInTheDevelopmentOverlay() throws Exception {
        for (String dir : List.of("base", "overlays/production", "overlays/small")) {
            List<HasMetadata> all = Rendered.objects(dir);
            assertThat(all).as(dir).noneMatch(o -> o.getMetadata().getName().contains("simulator"));
            for (Object doc : yaml().loadAll(Rendered.text(dir))) {
                Map<String, Object> m = map(doc);
                if (String.valueOf(map(m.get("metadata")).get("name")).startsWith("marketbill-products")) {
                    // the products file's simulator section (the simulated listing's prices) is data only the
                    // simulator reads; ProductsFileTest keeps the file equal to deploy/local's
                    continue;
                }
                String text = SERIALIZATION.asYaml(m);
                for (String s : DEVELOPMENT_ONLY) {
                    assertThat(text).as(dir + " " + m.get("kind") + " " + map(m.get("metadata")).get("name")).doesNotContain(s);
                }
            }
            Map<String, String> config = new LinkedHashMap<>();
            of(all, io.fabric8.kubernetes.api.model.ConfigMap.class).stream()
                    .filter(c -> c.getMetadata().getName().startsWith("marketbill-config"))
                    .forEach(c -> config.putAll(c.getData()));
            assertThat(config).as(dir).containsEntry("SPRING_PROFILES_ACTIVE", "prod");
        }
        List<HasMetadata> dev = Rendered.objects("overlays/development");
        Deployment sim = deployments(dev).get(SIMULATOR);
        assertThat(sim).as("the development overlay runs the simulator").isNotNull();
        for (var e : sim.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).as("the simulator's " + e.getName())
                        .startsWith("marketplace-simulator-dev");
            }
        }
        Map<String, String> config = new LinkedHashMap<>();
        of(dev, io.fabric8.kubernetes.api.model.ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().startsWith("marketbill-config")).forEach(c -> config.putAll(c.getData()));
        assertThat(config.get("SPRING_PROFILES_ACTIVE")).as("the development login is never trusted under prod")
                .doesNotContain("prod");
    }

    static Map<String, io.fabric8.kubernetes.api.model.EnvVar> env(Deployment d) {
        Map<String, io.fabric8.kubernetes.api.model.EnvVar> out = new LinkedHashMap<>();
        d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().forEach(e -> out.put(e.getName(), e));
        return out;
    }

    /** kubectl kustomize's output of each directory, rendered once. */
    static final class Rendered {
        private static final Map<String, String> TEXT = new java.util.concurrent.ConcurrentHashMap<>();

        static String text(String dir) throws Exception {
            String cached = TEXT.get(dir);
            if (cached != null) {
                return cached;
            }
            Path kubectl = RequiredTool.find("kubectl 1.27+, whose built-in kustomize renders the overlays", "kubectl");
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", K8S.resolve(dir).toString())
                    .redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
            TEXT.put(dir, out);
            return out;
        }

        static List<HasMetadata> objects(String dir) throws Exception {
            List<HasMetadata> out = new ArrayList<>();
            for (Object doc : yaml().loadAll(text(dir))) {
                out.add(typed(map(doc)));
            }
            return out;
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

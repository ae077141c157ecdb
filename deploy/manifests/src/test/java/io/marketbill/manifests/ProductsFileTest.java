package io.marketbill.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The shipped products files hold the seeds' prices. Read as plain YAML and computed here with BigDecimal, with
 * none of billing-service's code, so a mistake in the rating code cannot hide a wrong price (the catalog once
 * billed Zilliz at ten times the seed's price, and the rating tests passed because they supplied the same value):
 * <ul>
 *   <li>EMQX (cmgj00069406), seed 000: "EMQX 部署计价单元，每个单位等于 0.01 元";</li>
 *   <li>Zilliz (cmgj00063418), seed 001: "1 CU 的性能型 CU，您需要支付 1250 个单位的价格，也就是 ¥1.25 每小时".</li>
 * </ul>
 * The simulated Alibaba's listing prices must be what the products file says a unit is worth, and the Kubernetes
 * example must be the local file.
 */
class ProductsFileTest {

    static final Path LOCAL = ManifestsTest.DEPLOY.resolve("local/products.yml");
    static final Path K8S = ManifestsTest.K8S.resolve("base/products.yml");

    @Test
    void emqxUnitsAreWorthOneFen() throws IOException {
        for (Map<String, Object> d : dimensions(LOCAL, "cmgj00069406")) {
            assertThat(new BigDecimal((String) d.get("unit-value"))).as(d.get("name") + " unit value")
                    .isEqualByComparingTo("0.01");
        }
    }

    @Test
    void aZillizCuHourIs1250UnitsAndCosts125Yuan() throws IOException {
        for (String product : List.of("cmgj00063418", "zilliz-cloud-aws-cn")) {
            Map<String, Object> cu = dimensions(LOCAL, product).stream().filter(d -> "cu_hours".equals(d.get("name")))
                    .findFirst().orElseThrow();
            Map<String, Object> price = prices(LOCAL, product).stream()
                    .filter(p -> "cu_hours".equals(p.get("dimension")) && p.get("sku") == null).findFirst().orElseThrow();
            BigDecimal units = new BigDecimal((String) price.get("units"));
            BigDecimal unitValue = new BigDecimal((String) cu.get("unit-value"));
            assertThat(units).as(product + ": units per CU-hour").isEqualByComparingTo("1250");
            assertThat(units.multiply(unitValue)).as(product + ": yuan per CU-hour").isEqualByComparingTo("1.25");
        }
    }

    @Test
    void theSimulatedAlibabaPricesEveryBillingItemAtItsUnitValue() throws IOException {
        Map<String, Object> file = load(LOCAL);
        Map<String, Object> simulatorPrices = map(map(map(file.get("simulator")).get("aliyun")).get("prices"));
        Map<String, Object> products = map(map(file.get("marketbill")).get("products"));
        int items = 0;
        for (Map.Entry<String, Object> product : products.entrySet()) {
            if (!"aliyun".equals(map(product.getValue()).get("marketplace"))) {
                continue;
            }
            for (Map<String, Object> d : dimensions(LOCAL, product.getKey())) {
                Object listed = simulatorPrices.get(d.get("metering-assit"));
                assertThat(listed).as("the simulator's price of " + d.get("metering-assit")).isNotNull();
                assertThat(new BigDecimal(listed.toString())).as(product.getKey() + " " + d.get("name"))
                        .isEqualByComparingTo(new BigDecimal((String) d.get("unit-value")));
                items++;
            }
        }
        assertThat(items).isEqualTo(simulatorPrices.size());
    }

    @Test
    void theKubernetesExampleIsTheLocalFile() throws IOException {
        List<String> k8s = Files.readAllLines(K8S);
        assertThat(k8s.get(0)).startsWith("# EXAMPLE");
        assertThat(k8s.subList(1, k8s.size())).isEqualTo(Files.readAllLines(LOCAL));
    }

    private static List<Map<String, Object>> dimensions(Path file, String product) throws IOException {
        return list(productOf(file, product).get("dimensions"));
    }

    private static List<Map<String, Object>> prices(Path file, String product) throws IOException {
        return list(productOf(file, product).get("prices"));
    }

    private static Map<String, Object> productOf(Path file, String product) throws IOException {
        Map<String, Object> p = map(map(map(load(file).get("marketbill")).get("products")).get(product));
        assertThat(p).as(product + " in " + file).isNotEmpty();
        return p;
    }

    private static Map<String, Object> load(Path file) throws IOException {
        return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o == null ? List.of() : (List<Map<String, Object>>) o;
    }
}

package io.marketbill.billing.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceCatalogTest {

    private static CatalogProperties.Product product(String marketplace, List<CatalogProperties.Dimension> dims,
                                                     CatalogProperties.Price... prices) {
        return new CatalogProperties.Product("Zilliz Cloud", marketplace, "https://bill", null, dims, List.of(prices));
    }

    private static final CatalogProperties.Dimension CU = new CatalogProperties.Dimension("cu_hours", "CU-hour", "Unit",
            "cmgj00063418-Unit-1", "0.001");

    @Test
    void theNewestVersionInForceAtTheHourAppliesAndASkuPriceBeatsTheGeneralOne() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("cmgj00063418", product("aliyun", List.of(CU),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:00:00Z", "1250"),
                new CatalogProperties.Price("cu_hours", null, null, "2026-12-01T00:00:00Z", "1100"),
                new CatalogProperties.Price("cu_hours", "enterprise", null, "2026-01-01T00:00:00Z", "1000.5")));
        PriceCatalog catalog = new PriceCatalog(new CatalogProperties(products));
        Instant nov = Instant.parse("2026-11-23T08:00:00Z");
        assertThat(catalog.price("cmgj00063418", "payg", "cu_hours", nov).orElseThrow().unitsPerQuantity())
                .isEqualByComparingTo("1250");
        assertThat(catalog.price("cmgj00063418", "payg", "cu_hours", Instant.parse("2026-12-01T00:00:00Z"))
                .orElseThrow().version()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(catalog.price("cmgj00063418", "enterprise", "cu_hours", nov).orElseThrow().unitsPerQuantity())
                .isEqualByComparingTo("1000.5");
        assertThat(catalog.price("cmgj00063418", "payg", "cu_hours", Instant.parse("2025-12-31T23:00:00Z"))).isEmpty();
        assertThat(catalog.price("cmgj00063418", "payg", "storage", nov)).isEmpty();
    }

    @Test
    void aCloudsPriceAppliesToUsageOnThatCloudAndTheGeneralOneToEveryOther() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("cmgj00063418", product("aliyun", List.of(CU),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:00:00Z", "1250"),
                new CatalogProperties.Price("cu_hours", null, "aws", "2026-01-01T00:00:00Z", "1500"),
                new CatalogProperties.Price("cu_hours", "enterprise", null, "2026-01-01T00:00:00Z", "1000"),
                new CatalogProperties.Price("cu_hours", "enterprise", "aws", "2026-01-01T00:00:00Z", "1200")));
        PriceCatalog catalog = new PriceCatalog(new CatalogProperties(products));
        Instant nov = Instant.parse("2026-11-23T08:00:00Z");
        assertThat(catalog.price("cmgj00063418", "payg", "cu_hours", "aws", nov).orElseThrow().unitsPerQuantity())
                .isEqualByComparingTo("1500");
        assertThat(catalog.price("cmgj00063418", "payg", "cu_hours", "aws", nov).orElseThrow().version())
                .isEqualTo("2026-01-01T00:00:00Z on aws");
        assertThat(catalog.price("cmgj00063418", "payg", "cu_hours", "azure", nov).orElseThrow().unitsPerQuantity())
                .isEqualByComparingTo("1250");
        assertThat(catalog.price("cmgj00063418", "payg", "cu_hours", null, nov).orElseThrow().unitsPerQuantity())
                .isEqualByComparingTo("1250");
        assertThat(catalog.price("cmgj00063418", "enterprise", "cu_hours", "aws", nov).orElseThrow()
                .unitsPerQuantity()).isEqualByComparingTo("1200");
        assertThat(catalog.price("cmgj00063418", "enterprise", "cu_hours", "azure", nov).orElseThrow()
                .unitsPerQuantity()).isEqualByComparingTo("1000");
    }

    @Test
    void aSkuPriceAndACloudPriceThatWouldBothApplyStopTheStart() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("cmgj00063418", product("aliyun", List.of(CU),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:00:00Z", "1250"),
                new CatalogProperties.Price("cu_hours", null, "aws", "2026-01-01T00:00:00Z", "1500"),
                new CatalogProperties.Price("cu_hours", "enterprise", null, "2026-03-01T00:00:00Z", "1000"),
                new CatalogProperties.Price("cu_hours", null, "AWS China", "2026-01-01T00:00:00Z", "1")));
        assertThatThrownBy(() -> new PriceCatalog(new CatalogProperties(products)))
                .hasMessageContaining("product cmgj00063418: dimension cu_hours: the price of SKU enterprise and the "
                        + "price on cloud aws both apply to enterprise on aws from 2026-03-01T00:00:00Z")
                .hasMessageContaining("cloud AWS China must be lower-case");
        products.put("cmgj00063418", product("aliyun", List.of(CU),
                new CatalogProperties.Price("cu_hours", null, "aws", "2026-01-01T00:00:00Z", "1500")));
        assertThatThrownBy(() -> new PriceCatalog(new CatalogProperties(products)))
                .hasMessageContaining("dimension cu_hours has no price for every SKU and cloud");
    }

    @Test
    void aBrokenCatalogStopsTheStartWithEveryProblemListed() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("p1", product("aliyun", List.of(new CatalogProperties.Dimension("cu_hours", "CU-hour", "Unit", null,
                                "0.01"),
                        new CatalogProperties.Dimension("Bad Name", null, "x", "y", "0.01")),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:30:00Z", "1250"),
                new CatalogProperties.Price("cu_hours", null, null, "2026-02-01T00:00:00Z", "-1"),
                new CatalogProperties.Price("cu_hours", null, null, "2026-03-01T00:00:00Z", "0.0000001"),
                new CatalogProperties.Price("storage", null, null, "2026-01-01T00:00:00Z", "1")));
        products.put("p2", product("azure", List.of(new CatalogProperties.Dimension("calls", "call", "calls", null,
                "0.01"))));
        assertThatThrownBy(() -> new PriceCatalog(new CatalogProperties(products)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metering-assit is required")
                .hasMessageContaining("Bad Name")
                .hasMessageContaining("on an hour boundary")
                .hasMessageContaining(">= 0 with at most 6 decimals")
                .hasMessageContaining("price of storage from 2026-01-01T00:00:00Z: no such dimension")
                .hasMessageContaining("marketplace must be aliyun or aws, not azure")
                .hasMessageContaining("dimension calls has no price for every SKU");
    }

    @Test
    void twoDimensionsOnOneMarketplaceItemStopTheStart() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("zilliz-aws", product("aws", List.of(
                        new CatalogProperties.Dimension("cu_hours", "CU-hour", "cu_units", null, "0.01"),
                        new CatalogProperties.Dimension("cu_hours_gpu", "CU-hour", "cu_units", null, "0.01")),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:00:00Z", "1250"),
                new CatalogProperties.Price("cu_hours_gpu", null, null, "2026-01-01T00:00:00Z", "2500")));
        products.put("cmgj00063418", product("aliyun", List.of(CU,
                        new CatalogProperties.Dimension("storage", "GB-hour", "Unit", "cmgj00063418-Unit-1", "0.001")),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:00:00Z", "1250"),
                new CatalogProperties.Price("storage", null, null, "2026-01-01T00:00:00Z", "1")));
        assertThatThrownBy(() -> new PriceCatalog(new CatalogProperties(products)))
                .hasMessageContaining("product zilliz-aws: dimension cu_hours_gpu: marketplace item cu_units is already "
                        + "dimension cu_hours's")
                .hasMessageContaining("product cmgj00063418: dimension storage: marketplace item cmgj00063418-Unit-1 is "
                        + "already dimension cu_hours's");
    }

    @Test
    void aUnitValueThatIsMissingNegativeOrTooFineStopsTheStartNamingProductAndDimension() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("cmgj00063418", product("aliyun", List.of(
                        new CatalogProperties.Dimension("cu_hours", "CU-hour", "Unit", "cmgj00063418-Unit-1", null),
                        new CatalogProperties.Dimension("gb", "GB", "Unit", "cmgj00063418-Unit-2", "-0.01"),
                        new CatalogProperties.Dimension("calls", "call", "Unit", "cmgj00063418-Unit-3", "0.0000001"),
                        new CatalogProperties.Dimension("free", "call", "Unit", "cmgj00063418-Unit-4", "0")),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:00:00Z", "1250")));
        assertThatThrownBy(() -> new PriceCatalog(new CatalogProperties(products)))
                .hasMessageContaining("product cmgj00063418: dimension cu_hours: unit-value (yuan per marketplace unit")
                .hasMessageContaining("is missing")
                .hasMessageContaining("dimension gb: unit-value").hasMessageContaining("-0.01")
                .hasMessageContaining("dimension calls: unit-value").hasMessageContaining("0.0000001")
                .hasMessageContaining("dimension free: unit-value");
    }

    @Test
    void anAlibabaKeyThatAlibabaConvertsBeforeBillingOrAnItemOfAnotherProductIsRefused() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("cmgj00063418", product("aliyun", List.of(
                        new CatalogProperties.Dimension("storage", "GB-hour", "Storage", "cmgj00063418-Storage-2", "0.01"),
                        new CatalogProperties.Dimension("hours", "hour", "Period", "cmgj00063418-Period-3", "0.01"),
                        new CatalogProperties.Dimension("calls", "call", "Calls", "cmgj00063418-Calls-4", "0.01"),
                        new CatalogProperties.Dimension("cu", "CU-hour", "Unit", "cmgj00069406-Unit-1", "0.01")),
                new CatalogProperties.Price("storage", null, null, "2026-01-01T00:00:00Z", "1"),
                new CatalogProperties.Price("hours", null, null, "2026-01-01T00:00:00Z", "1"),
                new CatalogProperties.Price("calls", null, null, "2026-01-01T00:00:00Z", "1"),
                new CatalogProperties.Price("cu", null, null, "2026-01-01T00:00:00Z", "1")));
        assertThatThrownBy(() -> new PriceCatalog(new CatalogProperties(products)))
                .hasMessageContaining("dimension storage: Alibaba converts Storage values before it bills them (÷ 1048576)")
                .hasMessageContaining("dimension hours: Alibaba converts Period values before it bills them (÷ 3600)")
                .hasMessageContaining("dimension calls: marketplace-dimension Calls is no PushMeteringData key")
                .hasMessageContaining("dimension cu: metering-assit cmgj00069406-Unit-1 is not a billing item of this "
                        + "product and key (cmgj00063418-Unit-<n>)");
    }

    @Test
    void eachDimensionKnowsWhatItsUnitIsWorthAndItsBillingStep() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("cmgj00063418", product("aliyun", List.of(CU),
                new CatalogProperties.Price("cu_hours", null, null, "2026-01-01T00:00:00Z", "1250")));
        PriceCatalog catalog = new PriceCatalog(new CatalogProperties(products));
        PriceCatalog.MeteredDimension cu = catalog.dimension("cmgj00063418", "cu_hours").orElseThrow();
        assertThat(cu.unitValue()).isEqualByComparingTo("0.001");
        assertThat(cu.billingStep()).isEqualTo(10);
        assertThat(cu.yuan(500).toPlainString()).isEqualTo("0.50");
        assertThat(cu.yuan(1250).toPlainString()).isEqualTo("1.25");
    }

    @Test
    void productsWithoutDimensionsAreNotMetered() {
        Map<String, CatalogProperties.Product> products = new LinkedHashMap<>();
        products.put("flat", new CatalogProperties.Product("Flat", null, null, null, null, null));
        PriceCatalog catalog = new PriceCatalog(new CatalogProperties(products));
        assertThat(catalog.isMetered("flat")).isFalse();
        assertThat(catalog.dimensions("flat")).isEmpty();
    }
}

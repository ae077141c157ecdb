package io.marketbill.billing.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The billing part of {@code marketbill.products.<product code>} (the file every service reads): which
 * marketplace sells the product, its dimensions with the yuan value of one marketplace unit, and their prices in
 * marketplace units per unit of measure.
 * Other services' fields of the same product (binding policy, ...) are ignored here.
 *
 * @param products the vendor's products by marketplace product code: marketplace, dimensions, prices
 */
@ConfigurationProperties("marketbill")
public record CatalogProperties(Map<String, Product> products) {

    public CatalogProperties {
        products = products == null ? Map.of() : new LinkedHashMap<>(products);
    }

    /**
     * @param name        shown in mails and the overview
     * @param marketplace {@code aliyun} or {@code aws}
     * @param billUrl     where the buyer sees the marketplace bill (the overview links to it)
     * @param awsAccount  AWS only: the seller account that lists it ({@code marketbill.billing.aws.accounts.<name>},
     *                    e.g. {@code china}); empty: the default account ({@code marketbill.billing.aws.*})
     * @param dimensions  what is metered
     * @param prices      the price of each dimension, per SKU and from an hour on
     */
    public record Product(String name, String marketplace, String billUrl, String awsAccount,
                          List<Dimension> dimensions, List<Price> prices) {
        public Product {
            dimensions = dimensions == null ? List.of() : List.copyOf(dimensions);
            prices = prices == null ? List.of() : List.copyOf(prices);
        }
    }

    /**
     * @param name                 the dimension in usage events, e.g. {@code cu_hours}
     * @param unit                 its unit of measure, e.g. {@code CU-hour}
     * @param marketplaceDimension Alibaba: the billing item {@code Key}, one Alibaba bills as pushed (e.g.
     *                             {@code Unit}); AWS: the listing's dimension name
     * @param meteringAssit        Alibaba only: the billing item id from the publishing console,
     *                             {@code <product code>-<Key>-<n>}
     * @param unitValue            what one marketplace unit of this dimension is worth, in yuan, as the listing
     *                             prices it: EMQX {@code 0.01} (seed 000), Zilliz {@code 0.001} (seed 001: 1250
     *                             units = ¥1.25)
     */
    public record Dimension(String name, String unit, String marketplaceDimension, String meteringAssit,
                            String unitValue) {
    }

    /**
     * @param dimension     the dimension priced
     * @param sku           only this SKU; empty: every SKU
     * @param cloud         only usage that runs on this cloud (its {@code cloud} attribute: {@code aws}, ...); empty:
     *                      every cloud (R4: one subscription pays for every cloud, each at its price)
     * @param effectiveFrom from this hour on (an hour boundary, ISO-8601 UTC)
     * @param units         marketplace units per unit of measure, a decimal with at most 6 decimals (Zilliz: 1 CU-hour
     *                      = 1250 units)
     */
    public record Price(String dimension, String sku, String cloud, String effectiveFrom, String units) {
    }
}

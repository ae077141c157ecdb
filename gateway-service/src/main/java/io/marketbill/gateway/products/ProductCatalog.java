package io.marketbill.gateway.products;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The vendor's marketplace products, by marketplace product code ({@code marketbill.products.<code>.*}). The
 * SPI key belongs to the seller account; each product has its own settings. A call for a product code
 * that is not here is refused.
 *
 * @param products the vendor's products by marketplace product code, from the products file every service reads
 */
@ConfigurationProperties("marketbill")
public record ProductCatalog(Map<String, Product> products) {

    public ProductCatalog {
        products = products == null ? Map.of() : Map.copyOf(products);
    }

    /**
     * One product.
     *
     * @param name          shown to buyers, e.g. "Zilliz Cloud"
     * @param bindingPolicy how subscriptions bind to organizations (binding-service applies it)
     * @param billableItems the extra billable item keys the marketplace may send with createInstance or
     *                      upgradeInstance (Alibaba "额外计费项", e.g. {@code Count})
     * @param awsAccount    AWS only: the seller account that lists it ({@code marketbill.aws.accounts.<name>}, e.g.
     *                      {@code china}); empty: the default account. Its registrations come to
     *                      {@code /marketplace/aws/register/<name>}, the fulfillment URL of that account's listings
     */
    public record Product(String name, String bindingPolicy, List<String> billableItems, String awsAccount) {
        public Product {
            billableItems = billableItems == null ? List.of() : List.copyOf(billableItems);
        }
    }

    public Optional<Product> find(String productCode) {
        return Optional.ofNullable(productCode == null ? null : products.get(productCode));
    }
}

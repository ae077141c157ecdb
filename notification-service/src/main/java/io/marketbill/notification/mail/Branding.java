package io.marketbill.notification.mail;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Per-product branding of mails, from the products file every service reads
 * ({@code marketbill.products.<code>.name}, {@code .logo-url}, {@code .support-url}).
 */
@Component
@ConfigurationProperties("marketbill")
public class Branding {

    /**
     * What a mail shows of a product.
     *
     * @param name       the product's name; unset: its product code
     * @param logoUrl    the logo at the top of each mail; unset: the name instead
     * @param supportUrl the support link at the foot of each mail; unset: none
     */
    public record Brand(String name, String logoUrl, String supportUrl) {
    }

    /** The vendor's products by marketplace product code: the name, logo and support address mails show. */
    private Map<String, Brand> products = new LinkedHashMap<>();

    public Map<String, Brand> getProducts() {
        return products;
    }

    public void setProducts(Map<String, Brand> products) {
        this.products = products;
    }

    public Brand of(String productCode) {
        Brand b = productCode == null ? null : products.get(productCode);
        return b != null ? b : new Brand(productCode == null ? "" : productCode, null, null);
    }
}

package io.marketbill.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.billing.BillingProperties;
import io.marketbill.billing.catalog.CatalogProperties;
import io.marketbill.billing.catalog.PriceCatalog;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarketplaceCredentialsCheckTest {

    private static PriceCatalog catalog(String marketplace) {
        return catalog(marketplace, null);
    }

    private static PriceCatalog catalog(String marketplace, String awsAccount) {
        return new PriceCatalog(new CatalogProperties(Map.of("p", new CatalogProperties.Product("P", marketplace, null,
                awsAccount, List.of(new CatalogProperties.Dimension("calls", "call", "Unit", "p-Unit-1", "0.01")),
                List.of(new CatalogProperties.Price("calls", null, null, "2026-01-01T00:00:00Z", "1"))))));
    }

    private static BillingProperties props(String aliyunKey, String awsKey) {
        return props(aliyunKey, awsKey, Map.of());
    }

    private static BillingProperties props(String aliyunKey, String awsKey,
                                           Map<String, io.marketbill.protocols.aws.AwsAccount> accounts) {
        Duration d = Duration.ofMinutes(1);
        return new BillingProperties(d, d, Duration.ofDays(32), d, d, d, d, d, d, d, d, d, Duration.ZERO, false,
                new BillingProperties.Aliyun(URI.create("https://market.aliyuncs.com"), aliyunKey, aliyunKey, d, false,
                        false, d, d, true),
                new BillingProperties.Aws(URI.create("https://example"), "cn-northwest-1", awsKey, awsKey, null,
                        accounts, Duration.ofHours(6), null, true, false, d),
                new BillingProperties.Reconciliation(d, null, null));
    }

    @Test
    void aMarketplaceThatSellsMeteredProductsNeedsItsCredentials() {
        assertThat(MarketplaceCredentialsCheck.problems(catalog("aliyun"), props(null, null)))
                .singleElement().asString().contains("ALIYUN_ACCESS_KEY_ID");
        assertThat(MarketplaceCredentialsCheck.problems(catalog("aws"), props("k", null)))
                .singleElement().asString().contains("AWS_ACCESS_KEY_ID");
        assertThat(MarketplaceCredentialsCheck.problems(catalog("aws"), props(null, "k"))).isEmpty();
        assertThat(MarketplaceCredentialsCheck.problems(catalog("aliyun"), props("k", null))).isEmpty();
    }

    @Test
    void aListingOfAnotherSellerAccountNeedsThatAccountsCredentials() {
        var china = new io.marketbill.protocols.aws.AwsAccount("cn-northwest-1", null, null, null, null);
        assertThat(MarketplaceCredentialsCheck.problems(catalog("aws", "china"), props(null, "k", Map.of("china", china))))
                .singleElement().asString().contains("account china (marketbill.billing.aws.accounts.china.*)");
        var configured = new io.marketbill.protocols.aws.AwsAccount("cn-northwest-1", null, "ck", "cs", null);
        assertThat(MarketplaceCredentialsCheck.problems(catalog("aws", "china"),
                props(null, null, Map.of("china", configured)))).isEmpty();
    }
}

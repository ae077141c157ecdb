package io.marketbill.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * The buyer opened (or re-opened) a subscription on the marketplace.
 *
 * @param productCode          the marketplace product code (Alibaba {@code productCode}, AWS product code)
 * @param skuId                the SKU or plan (Alibaba {@code skuId}); null when the marketplace has none
 * @param trial                a trial purchase: metered but rated at 0
 * @param marketplaceAccountId the buyer's account: Alibaba {@code aliUid}, AWS {@code CustomerAWSAccountId}
 * @param orderId              the marketplace order id, when there is one
 * @param expiresAt            when the subscription expires, when the marketplace says so
 * @param billableItems        extra billable items chosen by the buyer (Alibaba "额外计费项"), name to value
 * @param customerIdentifier   AWS legacy {@code CustomerIdentifier}; null elsewhere
 * @param licenseArn           AWS {@code LicenseArn}; null elsewhere
 */
public record SubscriptionOpened(
        String productCode,
        String skuId,
        boolean trial,
        String marketplaceAccountId,
        String orderId,
        Instant expiresAt,
        Map<String, String> billableItems,
        String customerIdentifier,
        String licenseArn) implements SubscriptionLifecycleEvent {

    public SubscriptionOpened {
        billableItems = billableItems == null ? Map.of() : Map.copyOf(billableItems);
    }
}

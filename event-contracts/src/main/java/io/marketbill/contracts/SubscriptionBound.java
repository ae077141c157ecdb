package io.marketbill.contracts;

/**
 * The subscription now pays for the organization: usage of the organization from {@code occurredAt} on is
 * billed through the marketplace.
 *
 * @param organizationId         the organization (or workspace) it pays for
 * @param productCode            the marketplace product code
 * @param marketplaceAccountId   the paying marketplace account
 * @param boundBy                the user who bound it
 * @param previousSubscriptionId the subscription this one replaces in an account switch within the grace period
 *                               (R15), else null
 */
public record SubscriptionBound(String organizationId, String productCode, String marketplaceAccountId,
                                String boundBy, String previousSubscriptionId) implements BindingEvent {
}

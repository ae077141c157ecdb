package io.marketbill.contracts;

/**
 * The subscription no longer pays for the organization.
 *
 * @param organizationId       the organization it paid for
 * @param productCode          the marketplace product code
 * @param marketplaceAccountId the marketplace account that paid
 * @param reason               {@code UNBOUND_BY_USER}, {@code SUBSCRIPTION_CLOSED}, {@code ORGANIZATION_DELETED}
 * @param unboundBy            the user who unbound it; null when the system did
 */
public record SubscriptionUnbound(String organizationId, String productCode, String marketplaceAccountId,
                                  String reason, String unboundBy) implements BindingEvent {
}

package io.marketbill.contracts;

import java.time.Instant;

/**
 * The subscription no longer pays for the organization.
 *
 * @param organizationId       the organization it paid for
 * @param productCode          the marketplace product code
 * @param marketplaceAccountId the marketplace account that paid
 * @param reason               {@code UNBOUND_BY_USER}, {@code SUBSCRIPTION_CLOSED}, {@code ORGANIZATION_DELETED}
 * @param unboundBy            the user who unbound it; null when the system did
 * @param closeAction          after a close: what happens to the organization unless another subscription is bound
 *                             before {@code closeActionAt} ({@code STOP_DEPLOYMENTS}, {@code FREEZE_ORGANIZATION},
 *                             {@code VENDOR_BILLING}); null otherwise (and in events written before it existed)
 * @param closeActionAt        when that happens; the unbinding's own time when it happens at once (the product has
 *                             no switch grace period, Guance)
 */
public record SubscriptionUnbound(String organizationId, String productCode, String marketplaceAccountId,
                                  String reason, String unboundBy, String closeAction, Instant closeActionAt)
        implements BindingEvent {

    /** An unbinding that leaves nothing to do later (by an admin, a deleted organization). */
    public SubscriptionUnbound(String organizationId, String productCode, String marketplaceAccountId, String reason,
                               String unboundBy) {
        this(organizationId, productCode, marketplaceAccountId, reason, unboundBy, null, null);
    }
}

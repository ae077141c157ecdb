package io.marketbill.contracts;

/**
 * Who the organization pays through changed (R14, R18).
 *
 * @param organizationId       the organization
 * @param channel              {@code MARKETPLACE} or {@code VENDOR} (the vendor's own billing)
 * @param marketplace          {@code aliyun} or {@code aws} when the channel is a marketplace, else null
 * @param marketplaceAccountId the paying marketplace account when the channel is a marketplace, else null
 */
public record BillingChannelChanged(String organizationId, String channel, String marketplace,
                                    String marketplaceAccountId) implements BindingEvent {
}

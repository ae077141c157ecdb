package io.marketbill.contracts;

import java.util.List;

/**
 * Who the organization pays through changed (R14, R18).
 *
 * @param organizationId       the organization
 * @param channel              {@code MARKETPLACE} or {@code VENDOR} (the vendor's own billing)
 * @param marketplace          {@code aliyun} or {@code aws} when the channel is a marketplace, else null
 * @param marketplaceAccountId the paying marketplace account when the channel is a marketplace, else null
 * @param fellBackTogether     when a closed subscription returns several organizations (Guance's workspaces) to the
 *                             vendor's own billing at once: all of them, in the same order in each of their events, so
 *                             that a consumer can tell each person once about all of theirs; null otherwise
 */
public record BillingChannelChanged(String organizationId, String channel, String marketplace,
                                    String marketplaceAccountId, List<String> fellBackTogether)
        implements BindingEvent {

    public BillingChannelChanged {
        fellBackTogether = fellBackTogether == null ? null : List.copyOf(fellBackTogether);
    }

    public BillingChannelChanged(String organizationId, String channel, String marketplace,
                                 String marketplaceAccountId) {
        this(organizationId, channel, marketplace, marketplaceAccountId, null);
    }
}

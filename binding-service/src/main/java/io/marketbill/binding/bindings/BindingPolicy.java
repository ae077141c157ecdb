package io.marketbill.binding.bindings;

/** How a product's subscriptions may be bound to the vendor's organizations (R8). */
public enum BindingPolicy {
    /** EMQX: one marketplace account links to exactly one vendor account (organization) and back, for good. */
    ONE_ACCOUNT_ONE_VENDOR_ACCOUNT(true, CloseAction.STOP_DEPLOYMENTS),
    /** Zilliz: one subscription binds one organization; a user may hold several, each with its own subscription. */
    ONE_SUBSCRIPTION_PER_ORGANIZATION(true, CloseAction.FREEZE_ORGANIZATION),
    /** Guance: one marketplace account pays for many workspaces, across sites. */
    ACCOUNT_PAYS_FOR_MANY_WORKSPACES(false, CloseAction.VENDOR_BILLING);

    private final boolean exclusive;
    private final CloseAction defaultOnClose;

    BindingPolicy(boolean exclusive, CloseAction defaultOnClose) {
        this.exclusive = exclusive;
        this.defaultOnClose = defaultOnClose;
    }

    /** A subscription pays for one organization only. */
    public boolean exclusive() {
        return exclusive;
    }

    CloseAction defaultOnClose() {
        return defaultOnClose;
    }
}

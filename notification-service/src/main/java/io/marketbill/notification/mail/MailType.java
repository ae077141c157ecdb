package io.marketbill.notification.mail;

/**
 * Every mail notification-service sends, with whether it is billing-critical (sent even to those who opted
 * out of optional mail). The template of each is {@code mail/<name in lower case>_<language>.html} and
 * {@code .txt} (the text template's first line is the subject).
 */
public enum MailType {
    /** SubscriptionOpened: to the buyer, where an address is known (an account that paid for an organization before) */
    SUBSCRIPTION_OPENED(false),
    /** SubscriptionBound: the organization now pays through the marketplace */
    CHANNEL_ACTIVE(false),
    /** SubscriptionBound with a previous subscription: the paying account was switched (R15) */
    ACCOUNT_SWITCHED(true),
    /** SubscriptionUnbound: the marketplace no longer pays for the organization */
    CHANNEL_ENDED(true),
    /** BillingChannelChanged to the vendor's own billing (R14) */
    BACK_TO_VENDOR_BILLING(true),
    /** OrgFrozen (R13) */
    ORGANIZATION_FROZEN(true),
    /** OrgUnfrozen */
    ORGANIZATION_UNFROZEN(false),
    /** DeploymentsStopRequested (R12) */
    DEPLOYMENTS_STOPPING(true),
    /** DeploymentsDeletionScheduled: back up your data before the deletion time (R12) */
    DEPLOYMENTS_DELETION_SCHEDULED(true),
    /** MeteringOverdue: to the vendor's operations addresses */
    METERING_UNDELIVERED(true);

    private final boolean critical;

    MailType(boolean critical) {
        this.critical = critical;
    }

    public boolean critical() {
        return critical;
    }

    public String template() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

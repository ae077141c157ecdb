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
    /**
     * SubscriptionUnbound: the marketplace no longer pays for the organization, why, and what happens when unless
     * another subscription is bound before (the close action and its time). Not sent when the organization falls
     * back to the vendor's own billing at once: {@link #BACK_TO_VENDOR_BILLING} says it all.
     */
    CHANNEL_ENDED(true),
    /**
     * BillingChannelChanged to the vendor's own billing (R14). Organizations that fell back together (Guance's
     * workspaces of one closed subscription) are told in one mail per admin, naming all of theirs.
     */
    BACK_TO_VENDOR_BILLING(true),
    /** OrgFrozen (R13), with why in words */
    ORGANIZATION_FROZEN(true),
    /** OrgUnfrozen */
    ORGANIZATION_UNFROZEN(false),
    /** DeploymentsStopRequested (R12), with the deletion time where the event has one */
    DEPLOYMENTS_STOPPING(true),
    /** DeploymentsDeletionScheduled: back up your data before the deletion time (R12) */
    DEPLOYMENTS_DELETION_SCHEDULED(true),
    /** DeploymentsDeletionReminder: still to be deleted at the deletion time; bind a subscription before to keep them */
    DEPLOYMENTS_DELETION_REMINDER(true),
    /**
     * DeploymentsDeletionCancelled: the deletion is off, the deployments are kept and can be started again. Critical
     * although it is good news: it takes back billing-critical mails (stopping, deletion, reminder) that reached
     * everyone, opted out or not, and those who are backing up or moving their data because of them must hear that
     * they need not.
     */
    DEPLOYMENTS_DELETION_CANCELLED(true),
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

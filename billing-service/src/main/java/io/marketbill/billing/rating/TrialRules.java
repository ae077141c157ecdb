package io.marketbill.billing.rating;

/**
 * How each marketplace treats usage during a free trial, and what ends a trial. Pure rules, no Spring, no SQL.
 * <ul>
 *   <li><b>AWS</b> prices trial usage at zero itself: a SaaS free trial is metered as usual, "AWS applies the trial
 *       pricing so trial usage invoices at $0", and after conversion the same dimensions bill with no integration
 *       change (AWS Marketplace Seller Guide, "SaaS free trials", docs.aws.amazon.com/marketplace/latest/userguide/
 *       saas-free-trials.html). So AWS trial usage is rated and reported at its normal quantities.</li>
 *   <li><b>Alibaba</b> marks a trial purchase in {@code createInstance} ({@code trial}: "whether the purchase is a
 *       trial", help.aliyun.com/en/marketplace/createinstance) and documents no trial pricing of pushed metering,
 *       so a trial instance's usage is metered but not charged (rated at 0, nothing pushed). It ends when the
 *       instance is renewed ({@code renewInstance}): the buyer has paid for the instance from then on. That a
 *       renewal is how a trial converts is UNVERIFIED (Alibaba's pages say nothing of conversion), hence
 *       {@code marketbill.billing.aliyun.renewal-ends-trial}, on by default, because keeping a paid instance at
 *       zero would lose its revenue for good.</li>
 * </ul>
 */
public final class TrialRules {

    private TrialRules() {
    }

    /** Whether a trial minute on this marketplace is charged nothing by us. */
    public static boolean zeroRated(String marketplace, boolean trial) {
        return trial && !"aws".equals(marketplace);
    }

    /** Whether this lifecycle change ends a trial subscription's trial on this marketplace. */
    public static boolean endsTrial(String marketplace, String change, boolean renewalEndsTrial) {
        return "aliyun".equals(marketplace) && "RENEWED".equals(change) && renewalEndsTrial;
    }
}

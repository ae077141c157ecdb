package io.marketbill.billing.rating;

/** Why usage was not charged to a subscription; kept in {@code unbilled_hour} and shown. */
enum Disposition {
    /** the organization had no subscription bound at the time */
    UNBOUND,
    /** the subscription was frozen (billing paused) */
    PAUSED,
    /** the subscription was closed */
    ENDED,
    /** before the subscription was opened */
    NOT_OPEN,
    /** a subscription id we never saw opened */
    UNKNOWN_SUBSCRIPTION,
    /** a dimension the product's price catalog does not have */
    UNKNOWN_DIMENSION,
    /** the product is not in the price catalog */
    NOT_METERED,
    /** no price in force for that hour */
    NO_PRICE,
    /** it arrived after the subscription's final hour was already rated and reported */
    AFTER_FINAL_FLUSH,
    /**
     * between its subscription's close and the end of the switch grace period, and no other subscription was bound
     * within it (or binding-service did not say within {@code switch-window-limit})
     */
    SWITCH_WINDOW
}

package io.marketbill.binding.bindings;

/** What the vendor's platform must do when a bound subscription closes and no other takes over in time. */
public enum CloseAction {
    /** EMQX (R12): stop the non-trial deployments, delete them after the deletion grace period. */
    STOP_DEPLOYMENTS,
    /** Zilliz (R13): freeze the organization until a subscription is bound again. */
    FREEZE_ORGANIZATION,
    /** Guance (R14): the organization falls back to the vendor's own billing. */
    VENDOR_BILLING
}

package io.marketbill.gateway.aws;

import java.util.Set;

/**
 * Which endings of an AWS agreement end its subscription (pure rule). "Purchase Agreement Ended" is sent when an
 * agreement is "cancelled, expired, terminated, renewed, or replaced"
 * (https://docs.aws.amazon.com/marketplace/latest/buyerguide/agreement-eventbridge.html), its {@code agreement.status}
 * one of the AgreementViewSummary statuses
 * (https://docs.aws.amazon.com/marketplace/latest/APIReference/API_marketplace-agreements_AgreementViewSummary.html).
 * A renewed or replaced agreement goes on as another agreement for the same buyer, so only the three real endings
 * close the subscription; any other status is acknowledged and changes nothing.
 */
final class AgreementEnd {

    private static final Set<String> ENDS_SUBSCRIPTION = Set.of("CANCELLED", "EXPIRED", "TERMINATED");

    private AgreementEnd() {
    }

    static boolean endsSubscription(String status) {
        return status != null && ENDS_SUBSCRIPTION.contains(status);
    }
}

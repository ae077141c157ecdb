package io.marketbill.gateway.aws;

/**
 * The example event bodies of the AWS Marketplace Seller Guide, "Amazon EventBridge events",
 * https://docs.aws.amazon.com/marketplace/latest/userguide/notifications-eventbridge.html ("Events for agreements",
 * "Events for licenses"), copied as printed there, placeholders included. The examples all share one event id and
 * one agreement: they describe one purchase.
 */
final class EventBridgeExamples {

    private EventBridgeExamples() {
    }

    /** The subscription the examples' license makes: acceptor account and license id. */
    static final String SUBSCRIPTION = "aws:845735284135:l-e52ca6f38bf84d0fafb8802ca15ac11x";
    static final String AGREEMENT = "agmt-4mwg1nevbokzw95eca5797ixs";

    /** "The following is an example event body for License Updated - Manufacturer." */
    static final String LICENSE_UPDATED = """
            {
              "version": "0",
              "id": "12345678-1234-1234-1234-123456789012",
              "detail-type": "License Updated - Manufacturer",
              "source": "aws.agreement-marketplace",
              "account": "<ISV/CP account id>",
              "time": "2024-08-30T21:36:03Z",
              "region": "us-east-1",
              "resources": [
                "arn:aws:aws-marketplace::aws:agreement:agmt-4mwg1nevbokzw95eca5797ixs"
              ],
              "detail": {
                "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
                "catalog": "AWSMarketplace",
                "agreement": {
                  "id": "agmt-4mwg1nevbokzw95eca5797ixs"
                },
                "product": {
                  "code": "aw4fgf5tyo5w2ap6fEXAMPLE",
                  "id": "prod-qtwveEXAMPLE"
                },
                "license": {
                  "arn": "aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x"
                },
                "acceptor": {
                  "accountId": "845735284135"
                },
                "proposer": {
                  "accountId": "123456512334"
                },
                "offer": {
                  "id": "8kkr91jo647j3qxlcjhlqce7y"
                }
              }
            }
            """;

    /** "The following is an example event body for License Deprovisioned - Manufacturer." */
    static final String LICENSE_DEPROVISIONED = LICENSE_UPDATED
            .replace("\"License Updated - Manufacturer\"", "\"License Deprovisioned - Manufacturer\"");

    /** "The following is an example event body for Purchase Agreement Ended - Proposer." */
    static final String AGREEMENT_ENDED_PROPOSER = """
            {
              "version": "0",
              "id": "12345678-1234-1234-1234-123456789012",
              "detail-type": "Purchase Agreement Ended - Proposer",
              "source": "aws.agreement-marketplace",
              "account": "<ISV's account id>",
              "time": "2024-08-30T21:36:03Z",
              "region": "us-east-1",
              "resources": [
                "arn:aws:aws-marketplace::aws:agreement:agmt-4mwg1nevbokzw95eca5797ixs"
              ],
              "detail": {
                "requestId": "3d4c9f9b-b809-4f5e-9fac-a9ae98b05cbb",
                "catalog": "AWSMarketplace",
                "agreement": {
                  "id": "agmt-4mwg1nevbokzw95eca5797ixs",
                  "status": "CANCELLED"
                },
                "resaleAuthorization": {
                  "id": "resaleauthz-yaxjqxiskysxa"
                },
                "acceptor": {
                  "accountId": "845735284135"
                },
                "proposer": {
                  "accountId": "123456512334"
                },
                "offer": {
                  "id": "offer-1234567890123"
                }
              }
            }
            """;

    /** "The following is an example event body for Purchase Agreement Ended - Manufacturer." */
    static final String AGREEMENT_ENDED_MANUFACTURER = AGREEMENT_ENDED_PROPOSER
            .replace("\"Purchase Agreement Ended - Proposer\"", "\"Purchase Agreement Ended - Manufacturer\"");

    /** An example with another {@code agreement.status} (the page prints CANCELLED only). */
    static String endedWithStatus(String status) {
        return AGREEMENT_ENDED_PROPOSER.replace("\"status\": \"CANCELLED\"", "\"status\": \"" + status + "\"");
    }
}

-- Which license an AWS agreement bought. "Purchase Agreement Ended" names only the agreement; the License events name
-- both (https://docs.aws.amazon.com/marketplace/latest/userguide/notifications-eventbridge.html). Kept apart from
-- subscription because the License event usually arrives before the buyer registers, when no subscription exists yet;
-- subscription_id is the id the registration will give it (aws:<acceptor account>:<license id>).
CREATE TABLE aws_agreement (
    agreement_id     VARCHAR(64)  PRIMARY KEY,
    subscription_id  VARCHAR(512) NOT NULL,
    license_arn      VARCHAR(512) NOT NULL,
    recorded_at      TIMESTAMPTZ  NOT NULL
);
CREATE INDEX aws_agreement_subscription ON aws_agreement (subscription_id);

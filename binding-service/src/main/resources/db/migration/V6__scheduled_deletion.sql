-- EMQX (R12): the stopped deployments of an organization whose closed subscription was not replaced in time, to be
-- deleted at delete_at. Binding a subscription before then cancels it (the row goes, DeploymentsDeletionCancelled);
-- the reminder is published once, at remind_at.
CREATE TABLE scheduled_deletion (
    organization_id   VARCHAR(128) PRIMARY KEY,
    subscription_id   VARCHAR(512) NOT NULL,
    product_code      VARCHAR(128) NOT NULL,
    delete_at         TIMESTAMPTZ  NOT NULL,
    remind_at         TIMESTAMPTZ,
    reminded_at       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ  NOT NULL
);
CREATE INDEX scheduled_deletion_remind ON scheduled_deletion (remind_at) WHERE reminded_at IS NULL;
CREATE INDEX scheduled_deletion_delete ON scheduled_deletion (delete_at);

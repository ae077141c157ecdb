-- Billing events for an organization whose admins this copy of the directory does not know yet. directory.v1 and
-- the billing topics are separate, so after an outage a binding can arrive before the admin it concerns; the event
-- waits here and is planned again when an admin of the organization arrives (see MailPlanner).
CREATE TABLE mail_awaiting_directory (
    event_id         UUID         NOT NULL,
    organization_id  VARCHAR(200) NOT NULL,
    event            TEXT         NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (event_id, organization_id)
);
CREATE INDEX mail_awaiting_directory_organization ON mail_awaiting_directory (organization_id);

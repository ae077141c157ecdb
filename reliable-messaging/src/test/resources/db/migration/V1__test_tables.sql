CREATE TABLE applied_event (
    seq             BIGSERIAL PRIMARY KEY,
    event_id        UUID NOT NULL,
    subscription_id VARCHAR(200) NOT NULL
);

-- Where every accepted unit of usage went, per subject, dimension and hour: billed to a subscription, not chargeable
-- (with why: an Alibaba trial), or handed to the vendor's own billing (with why). With usage_minute it is the balance
-- of conservation: input = billed + not chargeable + vendor billing, to the micro-unit.
CREATE TABLE hour_attribution (
    subject          VARCHAR(520) NOT NULL,
    dimension        VARCHAR(64)  NOT NULL,
    hour_start       TIMESTAMPTZ  NOT NULL,
    outcome          VARCHAR(16)  NOT NULL CHECK (outcome IN ('BILLED', 'NOT_CHARGEABLE', 'VENDOR_BILLING')),
    reason           VARCHAR(32)  NOT NULL DEFAULT '',
    subscription_id  VARCHAR(512) NOT NULL DEFAULT '',
    quantity_micros  BIGINT       NOT NULL,
    PRIMARY KEY (subject, dimension, hour_start, outcome, reason, subscription_id)
);
CREATE INDEX hour_attribution_subscription ON hour_attribution (subscription_id, dimension, hour_start);
CREATE INDEX hour_attribution_hour ON hour_attribution (hour_start);
-- what an hour's usage cost before the carry, in marketplace units: carry_in + cost = units + carry_out
ALTER TABLE rated_hour ADD COLUMN cost NUMERIC(40, 20);
-- hours closed from this one on have their attribution (those before were closed without it)
ALTER TABLE hour_closing ADD COLUMN attributed_from TIMESTAMPTZ;
UPDATE hour_closing SET attributed_from = closed_through;

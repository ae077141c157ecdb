-- What one marketplace unit is worth in yuan, per listing dimension, as it was when the hour was rated: amounts are
-- units x unit_value. Until now every unit was taken to be worth ¥0.01, so that is what the rows written before
-- carry.
ALTER TABLE rated_hour ADD COLUMN unit_value NUMERIC(20, 10) NOT NULL DEFAULT 0.01;
ALTER TABLE rated_hour ALTER COLUMN unit_value DROP DEFAULT;
ALTER TABLE metering_record ADD COLUMN unit_value NUMERIC(20, 10) NOT NULL DEFAULT 0.01;
ALTER TABLE metering_record ALTER COLUMN unit_value DROP DEFAULT;

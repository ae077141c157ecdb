-- Where the resource ran (the usage's cloud extension attribute; '' when it did not say): a listing may price a
-- dimension per cloud (R4), so usage is kept, attributed and priced per cloud, and reported per dimension.
ALTER TABLE usage_minute ADD COLUMN cloud VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE usage_minute DROP CONSTRAINT usage_minute_pkey;
ALTER TABLE usage_minute ADD PRIMARY KEY (subject, dimension, cloud, minute_start);

ALTER TABLE switch_window_usage ADD COLUMN cloud VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE switch_window_usage DROP CONSTRAINT switch_window_usage_pkey;
ALTER TABLE switch_window_usage ADD PRIMARY KEY (subject, dimension, cloud, hour_start, closed_subscription_id);

-- A record that was in a metering call the marketplace refused as a whole (AWS TimestampOutOfBounds or
-- InvalidLicense, Alibaba Invalid.Parameter.*) is sent on its own from then on, so that only a bad record is
-- rejected for good and the others of its call are still billed.
ALTER TABLE metering_record ADD COLUMN send_alone BOOLEAN NOT NULL DEFAULT FALSE;

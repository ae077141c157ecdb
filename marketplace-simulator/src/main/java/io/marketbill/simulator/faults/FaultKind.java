package io.marketbill.simulator.faults;

import java.util.Locale;

/** What a fault rule does to a metering call (AWS BatchMeterUsage, Alibaba PushMeteringData). */
public enum FaultKind {
    /** AWS {@code ThrottlingException} (400); Alibaba {@code Service.Flow.Control} (400). Nothing is billed. */
    THROTTLING,
    /** AWS {@code InternalServiceErrorException} (500); Alibaba {@code InternalError} (500). Nothing is billed. */
    SERVER_ERROR,
    /** The call is answered normally, but only after the rule's {@code delay}: the caller's timeout decides. */
    TIMEOUT,
    /** AWS only: some records of the call come back in {@code UnprocessedRecords}, not billed. */
    UNPROCESSED,
    /** The call is processed (billed), then its answer is cut off: the caller cannot know it was billed. */
    LOST_ANSWER,
    /**
     * One record of a batch makes every call that carries it fail with a request-level validation error (AWS
     * {@code InvalidUsageDimensionException} by default, Alibaba {@code Invalid.Parameter.Metering}), so the caller has
     * to split the batch to find it. The record stays poisoned for the rest of the run.
     */
    POISONED_RECORD;

    /** Accepts {@code THROTTLING}, {@code throttling}, {@code server-error}, ... */
    public static FaultKind parse(String name) {
        return valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}

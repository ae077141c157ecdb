package io.marketbill.contracts;

/** A usage event that breaks a rule of {@link UsageRecorded}; {@link #reason()} is a stable code. */
public class InvalidUsageException extends IllegalArgumentException {

    private final String reason;

    public InvalidUsageException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}

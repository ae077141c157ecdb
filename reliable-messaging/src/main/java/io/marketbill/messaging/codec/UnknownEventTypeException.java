package io.marketbill.messaging.codec;

/** An event type this build does not know; new types are compatible, so consumers skip it. */
public class UnknownEventTypeException extends RuntimeException {
    private final String type;

    public UnknownEventTypeException(String type) {
        super("unknown event type: " + type);
        this.type = type;
    }

    public String type() {
        return type;
    }
}

package io.marketbill.messaging.codec;

/** A record that can never be processed as it is: retrying will not help, it goes to the dead-letter topic. */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }
}

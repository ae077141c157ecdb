package io.marketbill.messaging.codec;

/** A newer schema version than this consumer knows: dead-lettered, and replayed once the consumer is upgraded. */
public class UnsupportedSchemaVersionException extends MalformedEventException {
    public UnsupportedSchemaVersionException(String type, int version, int known) {
        super(type + " schema version " + version + " is newer than the known " + known);
    }
}

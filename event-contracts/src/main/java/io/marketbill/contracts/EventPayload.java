package io.marketbill.contracts;

/**
 * The body of an event. Each implementation is one event type; its name and schema version are given by
 * {@link EventTypes}. Adding a field is a compatible change; dropping or renaming one needs a new schema
 * version (and the contract test says so).
 */
public interface EventPayload {
}

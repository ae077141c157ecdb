package io.marketbill.contracts;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Event ids made where an event is first recorded. The gateway has no database, so it derives the id from
 * the marketplace call's natural key: a retried call yields the same id and consumers drop the repeat.
 */
public final class EventIds {

    private EventIds() {
    }

    /** A name-based UUID of the natural key parts (joined with an unambiguous separator). */
    public static UUID fromNaturalKey(String... parts) {
        StringBuilder key = new StringBuilder();
        for (String part : parts) {
            String p = part == null ? "" : part;
            // length-prefixed, so ("a|b","c") and ("a","b|c") differ
            key.append(p.length()).append(':').append(p).append('|');
        }
        return UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8));
    }
}

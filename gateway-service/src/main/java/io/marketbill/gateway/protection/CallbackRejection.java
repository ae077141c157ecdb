package io.marketbill.gateway.protection;

import org.springframework.http.HttpStatus;

/**
 * A marketplace machine call refused before anything happened: the status, a stable reason code (the
 * {@code reason} tag of {@code marketbill_callbacks_rejected_total}) and a message for the caller.
 */
public class CallbackRejection extends RuntimeException {

    private final HttpStatus status;
    private final String reason;

    public CallbackRejection(HttpStatus status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
    }

    public HttpStatus status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** Counts the refusal and answers {@code {"error": reason, "message": ...}} with its status. */
    public <T> org.springframework.http.ResponseEntity<T> respond(io.micrometer.core.instrument.MeterRegistry meters,
                                                                 String marketplace) {
        io.micrometer.core.instrument.Counter.builder("marketbill.callbacks.rejected")
                .description("Marketplace calls refused, by reason")
                .tag("marketplace", marketplace).tag("reason", reason).register(meters).increment();
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("error", reason);
        body.put("message", getMessage());
        @SuppressWarnings("unchecked")
        T typed = (T) body;
        return org.springframework.http.ResponseEntity.status(status)
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(typed);
    }
}

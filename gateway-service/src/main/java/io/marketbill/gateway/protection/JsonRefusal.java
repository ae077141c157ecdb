package io.marketbill.gateway.protection;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of every refusal the gateway writes itself, outside a controller (filters, security handlers):
 * {@code {"error":<code>,"message":<what to do>, ...}}, the same shape the controllers answer with.
 */
public final class JsonRefusal {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonRefusal() {
    }

    public static Mono<Void> write(ServerHttpResponse response, HttpStatus status, String error, String message) {
        return write(response, status, error, message, Map.of());
    }

    /** With {@code status} null the status already set stays (e.g. by Spring Security's bearer entry point). */
    public static Mono<Void> write(ServerHttpResponse response, HttpStatus status, String error, String message,
                                   Map<String, ?> more) {
        if (status != null) {
            response.setStatusCode(status);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        body.putAll(more);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(JSON.writeValueAsBytes(body))));
    }
}

package io.marketbill.messaging.deadletter;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Lists this service's dead letters and replays one once its cause is fixed. */
@RestController
@RequestMapping("${marketbill.messaging.dead-letter-path:/api/dead-letters}")
public class DeadLetterController {

    private final DeadLetters deadLetters;

    public DeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping
    public List<DeadLetter> list(@RequestParam(defaultValue = "pending") String state,
                                 @RequestParam(defaultValue = "100") int limit) {
        if (!state.equals("pending") && !state.equals("all")) {
            throw new IllegalArgumentException("state must be 'pending' or 'all'");
        }
        return deadLetters.list(state.equals("pending"), Math.max(1, Math.min(limit, 1000)));
    }

    @GetMapping("/{id}")
    public ResponseEntity<?> one(@PathVariable long id) {
        return deadLetters.find(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> notFound(id));
    }

    @PostMapping("/{id}/replay")
    public ResponseEntity<?> replay(@PathVariable long id) {
        return deadLetters.replay(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> notFound(id));
    }

    @org.springframework.web.bind.annotation.ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(Map.of("error", "bad_request", "message", e.getMessage()));
    }

    private static ResponseEntity<Map<String, String>> notFound(long id) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .body(Map.of("error", "not_found", "message", "no dead letter " + id));
    }
}

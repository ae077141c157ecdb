package io.marketbill.subscription.registry;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/subscriptions/{id}} (the id URL-encoded, e.g. {@code aliyun%3A123}) and a filtered list. */
@RestController
class SubscriptionController {

    private final SubscriptionRegistry registry;

    SubscriptionController(SubscriptionRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/api/subscriptions/{id}")
    ResponseEntity<?> one(@PathVariable String id) {
        return registry.find(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(Map.of("error", "not_found", "message", "no subscription " + id)));
    }

    @GetMapping("/api/subscriptions")
    ResponseEntity<?> list(@RequestParam(required = false) String state, @RequestParam(required = false) String marketplace,
                           @RequestParam(required = false) String customerIdentifier,
                           @RequestParam(required = false) String marketplaceAccountId,
                           @RequestParam(required = false) String licenseArn,
                           @RequestParam(required = false) String productCode,
                           @RequestParam(defaultValue = "100") int limit) {
        SubscriptionState s;
        try {
            s = state == null ? null : SubscriptionState.valueOf(state.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_request",
                    "message", "state must be one of ACTIVE, FROZEN, CLOSED"));
        }
        List<Subscription> list = registry.list(new SubscriptionRegistry.Filter(s, marketplace, customerIdentifier,
                marketplaceAccountId, licenseArn, productCode), Math.max(1, Math.min(limit, 1000)));
        return ResponseEntity.ok(list);
    }
}

package io.marketbill.gateway.protection;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /marketplace/ping}: answers "ok" through the same filters as the marketplace routes, without
 * any work. The baseline of the callback benchmark, and a cheap probe for load balancers.
 */
@RestController
class Ping {

    @GetMapping(path = "/marketplace/ping", produces = "text/plain")
    String ping() {
        return "ok";
    }
}

package io.marketbill.binding.directory;

import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * For billing-service, which keeps no copy of the directory: whether a user is a member of an organization (so may
 * see its billing). Under {@code /internal/**}: only another service's own token (role {@code service}) or an
 * operator, and the gateway does not route it from outside; billing-service has verified the user's token itself.
 */
@RestController
class MembershipApi {

    private final Directory directory;

    MembershipApi(Directory directory) {
        this.directory = directory;
    }

    /** 200 with the member's role, or 404: not a member (or no such organization or user; the same answer). */
    @GetMapping("/internal/organizations/{organizationId}/members/{userId}")
    ResponseEntity<Map<String, Object>> member(@PathVariable String organizationId, @PathVariable String userId) {
        return directory.membership(organizationId, userId)
                .map(m -> ResponseEntity.ok(Map.<String, Object>of("organizationId", organizationId, "userId", userId,
                        "role", m.role())))
                .orElseGet(() -> ResponseEntity.status(404).body(Map.of("error", "not_a_member", "message",
                        userId + " is not a member of " + organizationId)));
    }
}

package io.marketbill.binding.directory;

import io.marketbill.contracts.MemberAdded;
import io.marketbill.contracts.MemberRemoved;
import io.marketbill.contracts.OrganizationCreated;
import io.marketbill.contracts.OrganizationDeleted;
import io.marketbill.contracts.UserUpdated;
import io.marketbill.messaging.codec.MalformedEventException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The directory's admin API, for operators and for vendors whose platform does not publish {@code directory.v1}.
 * Each call is one directory change, applied at once and published on {@code directory.v1}.
 */
@RestController
@RequestMapping("/api/directory")
class DirectoryAdminApi {

    record OrganizationBody(String name, String site) {
    }

    record MemberBody(String role, String email, String name, String language) {
    }

    record UserBody(String email, String name, String language) {
    }

    private final Directory directory;
    private final DirectoryChanges changes;

    DirectoryAdminApi(Directory directory, DirectoryChanges changes) {
        this.directory = directory;
        this.changes = changes;
    }

    /** Creates the organization, or renames it (and revives a deleted one). */
    @PutMapping("/organizations/{organizationId}")
    ResponseEntity<?> putOrganization(@PathVariable String organizationId, @RequestBody OrganizationBody body) {
        changes.record(new OrganizationCreated(organizationId, body.name(), body.site()));
        return organization(organizationId);
    }

    @DeleteMapping("/organizations/{organizationId}")
    ResponseEntity<?> deleteOrganization(@PathVariable String organizationId) {
        if (directory.organization(organizationId).isEmpty()) {
            return notFound("no organization " + organizationId);
        }
        changes.record(new OrganizationDeleted(organizationId));
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/organizations/{organizationId}")
    ResponseEntity<?> organization(@PathVariable String organizationId) {
        return directory.organization(organizationId).<ResponseEntity<?>>map(o -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("organization", o);
            body.put("members", directory.members(organizationId));
            return ResponseEntity.ok(body);
        }).orElseGet(() -> notFound("no organization " + organizationId));
    }

    /** Adds the user to the organization, or changes the member's role. */
    @PutMapping("/organizations/{organizationId}/members/{userId}")
    ResponseEntity<?> putMember(@PathVariable String organizationId, @PathVariable String userId,
                                @RequestBody MemberBody body) {
        changes.record(new MemberAdded(organizationId, userId, body.role(), body.email(), body.name(), body.language()));
        return organization(organizationId);
    }

    @DeleteMapping("/organizations/{organizationId}/members/{userId}")
    ResponseEntity<?> deleteMember(@PathVariable String organizationId, @PathVariable String userId) {
        if (directory.membership(organizationId, userId).isEmpty()) {
            return notFound(userId + " is not a member of " + organizationId);
        }
        changes.record(new MemberRemoved(organizationId, userId));
        return ResponseEntity.noContent().build();
    }

    @PutMapping("/users/{userId}")
    ResponseEntity<?> putUser(@PathVariable String userId, @RequestBody UserBody body) {
        changes.record(new UserUpdated(userId, body.email(), body.name(), body.language()));
        return user(userId);
    }

    @GetMapping("/users/{userId}")
    ResponseEntity<?> user(@PathVariable String userId) {
        return directory.user(userId).<ResponseEntity<?>>map(u -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("user", u);
            body.put("organizations", directory.organizationsOf(userId));
            return ResponseEntity.ok(body);
        }).orElseGet(() -> notFound("no user " + userId));
    }

    @ExceptionHandler(MalformedEventException.class)
    ResponseEntity<?> invalid(MalformedEventException e) {
        return ResponseEntity.badRequest().body(Map.of("error", "invalid_request", "message", e.getMessage()));
    }

    private static ResponseEntity<?> notFound(String message) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "not_found", "message", message));
    }
}

package io.marketbill.binding.bindings;

import io.marketbill.binding.security.Caller;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operators: the account links of an organization (R8), and releasing one with a reason that is audited. */
@RestController
@RequestMapping("/api/bindings/account-links")
class AccountLinkApi {

    record ReleaseRequest(String productCode, String marketplace, String marketplaceAccountId, String reason) {
    }

    private final AccountLinks links;

    AccountLinkApi(AccountLinks links) {
        this.links = links;
    }

    @GetMapping
    ResponseEntity<?> ofOrganization(@RequestParam String organizationId, Authentication auth) {
        if (!Caller.of(auth).operator()) {
            return forbidden();
        }
        return ResponseEntity.ok(Map.of("links", links.ofOrganization(organizationId)));
    }

    @PostMapping("/release")
    ResponseEntity<?> release(@RequestBody ReleaseRequest r, Authentication auth) {
        Caller caller = Caller.of(auth);
        if (!caller.operator()) {
            return forbidden();
        }
        if (blank(r.productCode()) || blank(r.marketplace()) || blank(r.marketplaceAccountId())) {
            return error(HttpStatus.BAD_REQUEST, "invalid_request",
                    "productCode, marketplace and marketplaceAccountId are required");
        }
        if (blank(r.reason()) || r.reason().length() > 500) {
            return error(HttpStatus.BAD_REQUEST, "invalid_request",
                    "a reason (1-500 characters) is required: it goes to the audit log");
        }
        if (links.inUse(r.productCode(), r.marketplace(), r.marketplaceAccountId())) {
            return error(HttpStatus.CONFLICT, "link_in_use",
                    "a subscription of this account is bound to the linked organization: unbind it first");
        }
        return links.release(caller.userId(), r.productCode(), r.marketplace(), r.marketplaceAccountId(),
                        r.reason().strip())
                .<ResponseEntity<?>>map(l -> ResponseEntity.ok(Map.of("released", l)))
                .orElseGet(() -> error(HttpStatus.NOT_FOUND, "not_found", "no link of this account for the product"));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static ResponseEntity<?> forbidden() {
        return error(HttpStatus.FORBIDDEN, "forbidden", "account links are for operators");
    }

    private static ResponseEntity<?> error(HttpStatus status, String code, String message) {
        return ResponseEntity.status(status).body(Map.of("error", code, "message", message));
    }
}

package io.marketbill.subscription.agreements;

import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * For the gateway, which keeps no data: {@code POST /internal/aws-agreements} records an agreement's license,
 * {@code GET /internal/aws-agreements?agreementId=} finds it. Under {@code /internal}, which the gateway does not
 * route from outside. The agreement id is a parameter, not a path segment: AWS allows {@code /} in it
 * (https://docs.aws.amazon.com/marketplace/latest/APIReference/API_marketplace-agreements_AgreementViewSummary.html).
 */
@RestController
class AwsAgreementController {

    /** AgreementViewSummary.agreementId: 1-64 of {@code [A-Za-z0-9_/-]}. */
    private static final Pattern AGREEMENT_ID = Pattern.compile("[A-Za-z0-9_/-]{1,64}");

    /** What the gateway read from a License event. */
    record Recorded(String agreementId, String subscriptionId, String licenseArn) {
    }

    private final AwsAgreements agreements;
    private final Clock clock;

    AwsAgreementController(AwsAgreements agreements, Clock clock) {
        this.agreements = agreements;
        this.clock = clock;
    }

    @PostMapping("/internal/aws-agreements")
    ResponseEntity<?> record(@RequestBody Recorded body) {
        if (body.agreementId() == null || !AGREEMENT_ID.matcher(body.agreementId()).matches()) {
            return badRequest("agreementId must be 1-64 of A-Z a-z 0-9 _ / -");
        }
        if (body.subscriptionId() == null || !body.subscriptionId().startsWith("aws:")
                || body.subscriptionId().length() > 512) {
            return badRequest("subscriptionId must be an AWS subscription id");
        }
        if (body.licenseArn() == null || body.licenseArn().isBlank() || body.licenseArn().length() > 512) {
            return badRequest("licenseArn is required (at most 512 characters)");
        }
        return ResponseEntity.ok(agreements.record(body.agreementId(), body.subscriptionId(), body.licenseArn(),
                clock.instant()));
    }

    @GetMapping("/internal/aws-agreements")
    ResponseEntity<?> find(@RequestParam String agreementId) {
        return agreements.find(agreementId).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(Map.of("error", "not_found", "message", "no agreement " + agreementId)));
    }

    private static ResponseEntity<?> badRequest(String message) {
        return ResponseEntity.badRequest().body(Map.of("error", "bad_request", "message", message));
    }
}

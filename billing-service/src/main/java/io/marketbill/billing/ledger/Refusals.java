package io.marketbill.billing.ledger;

import java.util.Set;

/**
 * What to do when a marketplace refuses a whole metering call. Pure rules, no Spring, no SQL.
 * <ul>
 *   <li><b>Retry</b>: the marketplace did not take the call for now (throttling, flow control, a clock or nonce
 *       problem of this one request); the same records go again after the backoff.</li>
 *   <li><b>Credentials</b>: the call was refused because of who made it (an expired session token, a rotated or
 *       disabled key, a signature made with the wrong secret or clock, a missing permission). Nothing is wrong with
 *       the records: they are retried with the backoff until the deadline, and an alert is raised, instead of
 *       rejecting a whole round of revenue because of a configuration slip.</li>
 *   <li><b>Isolate</b>: the call is invalid because of what it carries, and both marketplaces refuse the whole
 *       request for one bad record: AWS "if any of the records are outside of the allowed range, the entire batch is
 *       not processed. You must remove invalid records and try again" (TimestampOutOfBoundsException, docs.aws.amazon.com/
 *       botocore/latest/reference/services/meteringmarketplace/client/exceptions/TimestampOutOfBoundsException.html;
 *       "identical requests are idempotent and can be retried with the same records or a subset of records",
 *       docs.aws.amazon.com/goto/WebAPI/meteringmarketplace-2016-01-14/BatchMeterUsage; InvalidLicenseException,
 *       InvalidUsageDimensionException, InvalidCustomerIdentifierException are request-level too), Alibaba
 *       {@code Invalid.Parameter.*} (PushMeteringData, help.aliyun.com/zh/marketplace/api-pushmeteringdata). So a
 *       refused call of several records is resent record by record, and only a record refused on its own is
 *       rejected for good. An unknown code is treated the same way: alone, it is that record's fault.</li>
 * </ul>
 */
final class Refusals {

    enum Verdict { RETRY, CREDENTIALS, ISOLATE }

    // AWS: the common errors of every AWS API (docs.aws.amazon.com/marketplace/latest/APIReference/CommonErrors.html)
    // that are about the caller, and the metering service's own InvalidEndpointRegionException (a configuration)
    private static final Set<String> AWS_CREDENTIALS = Set.of("ExpiredTokenException", "InvalidSignatureException",
            "UnrecognizedClientException", "AccessDeniedException", "IncompleteSignature", "InvalidClientTokenId",
            "MissingAuthenticationToken", "NotAuthorized", "SignatureDoesNotMatch", "InvalidEndpointRegionException",
            "DisabledApiException");

    // Alibaba Cloud's common error codes of its RPC APIs (api.aliyun.com, "Common error codes"): the caller's key,
    // signature, security token or RAM permission
    private static final Set<String> ALIYUN_CREDENTIALS = Set.of("SignatureDoesNotMatch", "IncompleteSignature",
            "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "InvalidAccessKeyId",
            "Forbidden.AccessKeyDisabled", "Forbidden.RAM", "Forbidden.NoPermission", "NoPermission", "Forbidden",
            "InvalidSecurityToken.Expired", "InvalidSecurityToken.Malformed", "InvalidSecurityToken.MismatchWithAccessKey");

    private Refusals() {
    }

    static Verdict of(String marketplace, String code) {
        String c = code == null ? "" : code;
        if ("aws".equals(marketplace)) {
            if (c.equals("ThrottlingException") || c.equals("TooManyRequestsException")) {
                return Verdict.RETRY;
            }
            return AWS_CREDENTIALS.contains(c) ? Verdict.CREDENTIALS : Verdict.ISOLATE;
        }
        if (c.equals("Service.Flow.Control") || c.startsWith("Throttling") || c.startsWith("InvalidTimeStamp")
                || c.startsWith("SignatureNonce")) {
            return Verdict.RETRY;
        }
        return ALIYUN_CREDENTIALS.contains(c) ? Verdict.CREDENTIALS : Verdict.ISOLATE;
    }
}

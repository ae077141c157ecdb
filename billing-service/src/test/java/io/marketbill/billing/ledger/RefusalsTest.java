package io.marketbill.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RefusalsTest {

    @Test
    void throttlingWaitsCredentialsWaitWithAnAlertAndWhatARecordCarriesIsIsolated() {
        assertThat(Refusals.of("aws", "ThrottlingException")).isEqualTo(Refusals.Verdict.RETRY);
        for (String code : new String[] {"ExpiredTokenException", "InvalidSignatureException",
                "UnrecognizedClientException", "AccessDeniedException"}) {
            assertThat(Refusals.of("aws", code)).as(code).isEqualTo(Refusals.Verdict.CREDENTIALS);
        }
        for (String code : new String[] {"TimestampOutOfBoundsException", "InvalidLicenseException",
                "InvalidUsageDimensionException", "InvalidCustomerIdentifierException", "ValidationException",
                "SomethingNew", null}) {
            assertThat(Refusals.of("aws", code)).as(code).isEqualTo(Refusals.Verdict.ISOLATE);
        }
        assertThat(Refusals.of("aliyun", "Service.Flow.Control")).isEqualTo(Refusals.Verdict.RETRY);
        assertThat(Refusals.of("aliyun", "InvalidTimeStamp.Expired")).isEqualTo(Refusals.Verdict.RETRY);
        assertThat(Refusals.of("aliyun", "SignatureNonceUsed")).isEqualTo(Refusals.Verdict.RETRY);
        assertThat(Refusals.of("aliyun", "SignatureDoesNotMatch")).isEqualTo(Refusals.Verdict.CREDENTIALS);
        assertThat(Refusals.of("aliyun", "InvalidAccessKeyId.NotFound")).isEqualTo(Refusals.Verdict.CREDENTIALS);
        assertThat(Refusals.of("aliyun", "Forbidden.RAM")).isEqualTo(Refusals.Verdict.CREDENTIALS);
        assertThat(Refusals.of("aliyun", "Invalid.Parameter.Instance")).isEqualTo(Refusals.Verdict.ISOLATE);
        assertThat(Refusals.of("aliyun", "Invalid.Parameter.Metering")).isEqualTo(Refusals.Verdict.ISOLATE);
    }
}

package io.marketbill.binding.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestTokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operators release an EMQX account link (R8) with a reason that is audited; nobody else may, nor while in use. */
class AccountLinkApiTest extends BindingServiceTestBase {

    private HttpResponse<String> release(String body, String... headers) {
        return Http.requestAsOperator(port, "POST", "/api/bindings/account-links/release", body,
                concat(headers, "Content-Type", "application/json"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String body(String account, String reason) {
        return "{\"productCode\":\"" + EMQX + "\",\"marketplace\":\"aliyun\",\"marketplaceAccountId\":\"" + account
                + "\"" + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}";
    }

    @Test
    void anOperatorReleasesAnUnusedLinkWithAReasonAndTheAccountMayLinkAnotherOrganization() {
        String alice = unique("u-alice");
        String first = organization("EMQX first", alice);
        String account = unique("ali");
        String sub = opened(EMQX, account);
        assertThat(bindings.bind(alice, sub, first, Bindings.Proof.LOGIN_TICKET, null).bound()).isTrue();

        assertThat(release(body(account, "buyer asked to start over")).statusCode())
                .as("still in use").isEqualTo(409);
        assertThat(bindings.unbind(alice, false, sub, first).bound()).isTrue();
        assertThat(release(body(account, null)).statusCode()).as("no reason").isEqualTo(400);
        String user = TestTokens.bearer(TestTokens.token(alice, List.of(), Duration.ofMinutes(5)));
        assertThat(release(body(account, "mine"), "Authorization", user).statusCode()).as("not an operator")
                .isEqualTo(403);
        String second = organization("EMQX second", alice);
        String again = opened(EMQX, account);
        assertThat(bindings.bind(alice, again, second, Bindings.Proof.LOGIN_TICKET, null).refusal())
                .isEqualTo(Refusal.ACCOUNT_LINKED_ELSEWHERE);

        HttpResponse<String> released = release(body(account, "buyer asked to start over"));
        assertThat(released.statusCode()).isEqualTo(200);
        assertThat(released.body()).contains(first);
        assertThat(release(body(account, "again")).statusCode()).as("nothing left").isEqualTo(404);
        assertThat(Http.getAsOperator(port, "/api/bindings/audit?organizationId=" + first).body())
                .contains("RELEASE_ACCOUNT_LINK", "u-test-operator", "buyer asked to start over");
        assertThat(bindings.bind(alice, again, second, Bindings.Proof.LOGIN_TICKET, null).bound()).isTrue();
        assertThat(Http.getAsOperator(port, "/api/bindings/account-links?organizationId=" + second).body())
                .contains(account);
    }
}

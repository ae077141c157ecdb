package io.marketbill.binding.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.contracts.LoginTicket;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.OpenApiCoverage;
import io.marketbill.testsupport.TestTokens;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** The JSON API for the vendor's console: who may call it, and the refusals in the caller's language. */
class BindingApiTest extends BindingServiceTestBase {

    static final byte[] SECRET = "test-login-ticket-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    static String ticket(String subscriptionId, String account) {
        return new LoginTicket(subscriptionId, account, Instant.now().plusSeconds(300)).sign(SECRET);
    }

    private HttpResponse<String> call(String method, String path, String token, String body, String... more) {
        String[] headers = new String[4 + more.length];
        headers[0] = "Authorization";
        headers[1] = TestTokens.bearer(token);
        headers[2] = "Content-Type";
        headers[3] = "application/json";
        System.arraycopy(more, 0, headers, 4, more.length);
        return Http.request(port, method, path, body, headers);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void withoutAValidTokenTheApiAnswers401() throws Exception {
        assertThat(Http.get(port, "/api/bindings/audit").statusCode()).isEqualTo(401);
        var otherKey = KeyPairGenerator.getInstance("RSA");
        otherKey.initialize(2048);
        String forged = TestTokens.token(TestTokens.ISSUER, "u-mallory", List.of("operator"), Instant.now(),
                Duration.ofMinutes(5), otherKey.generateKeyPair().getPrivate());
        String expired = TestTokens.token(TestTokens.ISSUER, "u-late", List.of("operator"),
                Instant.now().minusSeconds(3600), Duration.ofMinutes(5), TestTokens.testKey());
        String foreign = TestTokens.token("https://elsewhere.example", "u-x", List.of("operator"), Instant.now(),
                Duration.ofMinutes(5), TestTokens.testKey());
        for (String bad : List.of(forged, expired, foreign)) {
            assertThat(call("GET", "/api/bindings/audit", bad, null).statusCode()).isEqualTo(401);
        }
        // the probes stay open: on the service port and on the management port
        assertThat(Http.get(port, "/readyz").statusCode()).isEqualTo(200);
        assertThat(Http.get(managementPort, "/actuator/health").statusCode()).isEqualTo(200);
    }

    @Test
    void actuatorIsServedOnTheManagementPortOnlyWithTheServicesRules() {
        assertThat(managementPort).isNotEqualTo(port);
        for (String actuator : List.of("/actuator/prometheus", "/actuator/health", "/actuator/info")) {
            assertThat(Http.get(port, actuator).statusCode()).as(actuator + " on the service port").isEqualTo(404);
        }
        assertThat(Http.get(managementPort, "/actuator/prometheus").body()).contains("jvm_memory_used_bytes");
        assertThat(Http.get(managementPort, "/actuator/health").body()).as("which components, not their details")
                .contains("\"db\"").doesNotContain("\"database\"");
        assertThat(Http.getAsOperator(managementPort, "/actuator/health").body()).contains("\"database\"");
        assertThat(Http.get(managementPort, "/actuator/metrics").statusCode()).isEqualTo(401);
        assertThat(Http.getAsOperator(managementPort, "/actuator/metrics").statusCode()).isEqualTo(403);
    }

    @Test
    void bindWithATicketThenReadAndUnbind() {
        String alice = unique("u-alice");
        String bob = unique("u-bob");
        String org = organization("Acme API", alice, bob);
        String account = unique("ali");
        String sub = opened(ZILLIZ, account);
        String ticket = ticket(sub, account);

        HttpResponse<String> choices = call("GET", "/api/bindings/choices?ticket=" + enc(ticket),
                TestTokens.user(bob), null, "Accept-Language", "en");
        assertThat(choices.statusCode()).isEqualTo(200);
        assertThat(choices.body()).contains("\"bindable\":false").contains("insufficient_permission")
                .contains("Insufficient permission").contains("\"canConfirm\":false");

        HttpResponse<String> refused = call("POST", "/api/bindings", TestTokens.user(bob),
                "{\"organizationId\":\"" + org + "\",\"ticket\":\"" + ticket + "\"}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("\"error\":\"insufficient_permission\"").contains("权限不足");

        HttpResponse<String> bound = call("POST", "/api/bindings", TestTokens.user(alice),
                "{\"organizationId\":\"" + org + "\",\"ticket\":\"" + ticket + "\"}");
        assertThat(bound.statusCode()).isEqualTo(201);
        assertThat(bound.body()).contains("\"organizationId\":\"" + org + "\"").contains("\"alreadyBound\":false");

        HttpResponse<String> org1 = call("GET", "/api/bindings/organizations/" + org, TestTokens.user(bob), null);
        assertThat(org1.statusCode()).isEqualTo(200);
        assertThat(org1.body()).contains("\"state\":\"MARKETPLACE\"").contains("\"marketplace\":\"aliyun\"")
                .contains("\"marketplaceAccountId\":\"" + account + "\"");
        assertThat(call("GET", "/api/bindings/organizations/" + org, TestTokens.user(unique("u-stranger")), null)
                .statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/bindings/subscriptions/" + enc(sub), TestTokens.operator("op"), null).body())
                .contains("\"status\":\"OPEN\"").contains(org);

        HttpResponse<String> audit = call("GET", "/api/bindings/audit?organizationId=" + org, TestTokens.user(alice),
                null);
        assertThat(audit.statusCode()).isEqualTo(200);
        assertThat(audit.body()).contains("\"outcome\":\"BOUND\"").contains("\"outcome\":\"REFUSED\"");
        assertThat(call("GET", "/api/bindings/audit?organizationId=" + org, TestTokens.user(bob), null).statusCode())
                .isEqualTo(403);

        HttpResponse<String> unbound = call("DELETE", "/api/bindings/subscriptions/" + enc(sub) + "/organizations/"
                + org, TestTokens.user(alice), null);
        assertThat(unbound.statusCode()).isEqualTo(200);
        assertThat(unbound.body()).contains("\"unbindReason\":\"UNBOUND_BY_USER\"");
    }

    @Test
    void operatorsListTheSubscriptionsWaitingToBeBound() {
        java.time.Instant since = java.time.Instant.now().minusSeconds(1);
        String alice = unique("u-alice");
        String org = organization("Pending", alice);
        String waiting = opened(ZILLIZ, unique("ali"));
        String bound = opened(ZILLIZ, unique("ali"));
        bindings.bind(alice, bound, org, Bindings.Proof.LOGIN_TICKET, null);

        HttpResponse<String> r = call("GET", "/api/bindings/pending?since=" + since, TestTokens.operator("op"), null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains(waiting).doesNotContain(bound);
        assertThat(call("GET", "/api/bindings/pending", TestTokens.user(alice), null).statusCode()).isEqualTo(403);
    }

    @Test
    void guanceBindsWithTheAccountIdAndTheInstanceId() {
        String alice = unique("u-alice");
        String ws = organization("Guance ws", alice);
        String account = unique("ali");
        String sub = opened(GUANCE, account);
        String instanceId = sub.substring("aliyun:".length());

        HttpResponse<String> wrong = call("POST", "/api/bindings", TestTokens.user(alice),
                "{\"organizationId\":\"" + ws + "\",\"marketplaceAccountId\":\"123\",\"instanceId\":\"" + instanceId
                        + "\"}", "Accept-Language", "en");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("account_mismatch").contains("main account ID");
        HttpResponse<String> ok = call("POST", "/api/bindings", TestTokens.user(alice),
                "{\"organizationId\":\"" + ws + "\",\"marketplaceAccountId\":\"" + account + "\",\"instanceId\":\""
                        + instanceId + "\"}");
        assertThat(ok.statusCode()).isEqualTo(201);
    }

    /**
     * R8: Guance's proof is the MAIN account's id; a RAM user's sign-in name ({@code user@<UID>.onaliyun.com}) can
     * never match, so it is refused before any look-up, naming the UID to type instead, in the caller's language.
     */
    @Test
    void aRamUsersSignInNameIsRefusedNamingTheMainAccount() {
        String alice = unique("u-alice");
        String ws = organization("Guance RAM", alice);
        String instanceId = opened(GUANCE, "1880000000000007").substring("aliyun:".length());
        String body = "{\"organizationId\":\"" + ws + "\",\"marketplaceAccountId\":\"ops.bob@1880000000000007.onaliyun.com\","
                + "\"instanceId\":\"" + instanceId + "\"}";

        HttpResponse<String> en = call("POST", "/api/bindings", TestTokens.user(alice), body, "Accept-Language", "en");
        assertThat(en.statusCode()).isEqualTo(422);
        assertThat(en.body()).contains("\"error\":\"ram_account\"")
                .contains("enter the main account UID 1880000000000007 instead").contains("(1880000000000007 here)");
        HttpResponse<String> zh = call("POST", "/api/bindings", TestTokens.user(alice), body);
        assertThat(zh.statusCode()).isEqualTo(422);
        assertThat(zh.body()).contains("请改为填写主账号 UID 1880000000000007");
        assertThat(bindings.activeBindingsOf("aliyun:" + instanceId)).isEmpty();

        HttpResponse<String> ok = call("POST", "/api/bindings", TestTokens.user(alice), body.replace(
                "ops.bob@1880000000000007.onaliyun.com", " 1880000000000007 "));
        assertThat(ok.statusCode()).isEqualTo(201);
    }

    /**
     * Security review, finding 9: the account-and-instance proof must not tell a guesser whether an instance exists,
     * nobody but a member learns anything, and wrong proofs are limited per user and per organization.
     */
    @Test
    void theAccountAndInstanceProofIsNoOracleAndGuessingIsLimited() {
        String alice = unique("u-alice");
        String ws = organization("Guance guessed", alice);
        String account = unique("ali");
        String instanceId = opened(GUANCE, account).substring("aliyun:".length());
        String user = TestTokens.user(alice);

        HttpResponse<String> wrongAccount = call("POST", "/api/bindings", user, "{\"organizationId\":\"" + ws
                + "\",\"marketplaceAccountId\":\"123\",\"instanceId\":\"" + instanceId + "\"}");
        HttpResponse<String> noSuchInstance = call("POST", "/api/bindings", user, "{\"organizationId\":\"" + ws
                + "\",\"marketplaceAccountId\":\"123\",\"instanceId\":\"" + unique("NOPE") + "\"}");
        assertThat(noSuchInstance.statusCode()).isEqualTo(wrongAccount.statusCode()).isEqualTo(403);
        assertThat(noSuchInstance.body()).isEqualTo(wrongAccount.body());

        // someone who is no member of the organization is told only that
        String mallory = unique("u-mallory");
        organization("Mallory's own", mallory);
        HttpResponse<String> outsider = call("POST", "/api/bindings", TestTokens.user(mallory), "{\"organizationId\":\""
                + ws + "\",\"marketplaceAccountId\":\"" + account + "\",\"instanceId\":\"" + instanceId + "\"}");
        assertThat(outsider.statusCode()).isEqualTo(403);
        assertThat(outsider.body()).contains("not_a_member").doesNotContain(instanceId);

        // 10 wrong proofs (the default) within the window: then even the right one waits
        for (int i = 2; i < 10; i++) {
            assertThat(call("POST", "/api/bindings", user, "{\"organizationId\":\"" + ws
                    + "\",\"marketplaceAccountId\":\"9" + i + "\",\"instanceId\":\"" + instanceId + "\"}")
                    .statusCode()).isEqualTo(403);
        }
        HttpResponse<String> limited = call("POST", "/api/bindings", user, "{\"organizationId\":\"" + ws
                + "\",\"marketplaceAccountId\":\"" + account + "\",\"instanceId\":\"" + instanceId + "\"}",
                "Accept-Language", "en");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("too_many_attempts").contains("Wait a quarter of an hour");
        assertThat(bindings.activeBindingsOf("aliyun:" + instanceId)).isEmpty();
    }

    /** billing-service asks, with its own token, whether a user may see an organization's billing. */
    @Test
    void membershipIsForServicesOwnTokensNotForUsers() {
        String alice = unique("u-alice");
        String bob = unique("u-bob");
        String org = organization("Members", alice, bob);
        String service = TestTokens.token("billing-service", java.util.List.of("service"), java.time.Duration.ofMinutes(5));
        HttpResponse<String> member = call("GET", "/internal/organizations/" + org + "/members/" + bob, service, null);
        assertThat(member.statusCode()).isEqualTo(200);
        assertThat(member.body()).contains("\"role\":\"MEMBER\"");
        assertThat(call("GET", "/internal/organizations/" + org + "/members/" + unique("u-nobody"), service, null)
                .statusCode()).isEqualTo(404);
        // a user may not ask, not even about their own organization (the bindings API is theirs)
        assertThat(call("GET", "/internal/organizations/" + org + "/members/" + bob, TestTokens.user(alice), null)
                .statusCode()).isEqualTo(403);
        assertThat(call("GET", "/internal/organizations/" + org + "/members/" + bob, null, null).statusCode())
                .isEqualTo(401);
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        String alice = unique("u-alice");
        String org = organization("Acme", alice);
        String sub = opened(ZILLIZ, "acct");
        String user = TestTokens.user(alice);
        assertThat(call("POST", "/api/bindings", user, "{\"ticket\":\"x\"}").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/api/bindings", user, "{\"organizationId\":\"" + org + "\"}").statusCode())
                .isEqualTo(400);
        HttpResponse<String> forged = call("POST", "/api/bindings", user,
                "{\"organizationId\":\"" + org + "\",\"ticket\":\"" + ticket(sub, "acct") + "x\"}");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("invalid_ticket");
        assertThat(call("POST", "/api/bindings", user, "not json").statusCode()).isEqualTo(400);
        assertThat(bindings.activeBindingsOf(sub)).isEmpty();
    }

    @Test
    void theDirectoryAdminApiIsForOperatorsAndValidatesItsInput() {
        String org = unique("org");
        String op = TestTokens.operator("op-1");
        assertThat(call("PUT", "/api/directory/organizations/" + org, TestTokens.user("u-1"), "{\"name\":\"X\"}")
                .statusCode()).isEqualTo(403);
        assertThat(call("PUT", "/api/directory/organizations/" + org, op, "{\"name\":\"Acme\",\"site\":\"cn1\"}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> badRole = call("PUT", "/api/directory/organizations/" + org + "/members/u-9", op,
                "{\"role\":\"OWNER\"}");
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(badRole.body()).contains("role must be ADMIN or MEMBER");
        assertThat(call("PUT", "/api/directory/organizations/" + org + "/members/u-9", op,
                "{\"role\":\"ADMIN\",\"email\":\"u9@example.com\",\"language\":\"en\"}").body())
                .contains("\"userId\":\"u-9\"").contains("\"role\":\"ADMIN\"").contains("u9@example.com");
        assertThat(call("GET", "/api/directory/users/u-9", op, null).body()).contains(org).contains("\"language\":\"en\"");
        assertThat(call("DELETE", "/api/directory/organizations/" + org + "/members/u-9", op, null).statusCode())
                .isEqualTo(204);
        assertThat(call("DELETE", "/api/directory/organizations/" + org + "/members/u-9", op, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpointTheServiceServes(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlers) {
        assertThat(OpenApiCoverage.assertDescribesEverything(port, handlers))
                .contains(new OpenApiCoverage.Endpoint("GET", "/api/dead-letters"),
                        new OpenApiCoverage.Endpoint("GET", "/api/directory/organizations/{organizationId}"));
    }
}

package io.marketbill.billing.overview;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.marketbill.security.ServiceSecurityProperties;
import io.marketbill.security.ServiceTokens;
import io.marketbill.testsupport.TestTokens;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who may see an organization's billing: binding-service is asked with billing-service's own token (never the
 * caller's), and each verdict belongs to one user (security review, findings 1 and 12).
 */
class OrganizationAccessTest {

    @Test
    void binding_serviceIsAskedWithBillingsOwnTokenAndAVerdictBelongsToOneUser() throws Exception {
        List<String> asked = new ArrayList<>();
        HttpServer binding = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        binding.createContext("/internal/organizations/", x -> {
            asked.add(x.getRequestURI().getPath() + " " + x.getRequestHeaders().getFirst("Authorization"));
            boolean member = x.getRequestURI().getPath().equals("/internal/organizations/org-b/members/u-bea");
            x.sendResponseHeaders(member ? 200 : 404, -1);
            x.close();
        });
        binding.start();
        try {
            ServiceTokens tokens = new ServiceTokens(new ServiceSecurityProperties.Client(TestTokens.tokenUri(),
                    TestTokens.CLIENT_ID, TestTokens.CLIENT_SECRET, null), Clock.systemUTC());
            OrganizationAccess access = new OrganizationAccess(URI.create("http://127.0.0.1:"
                    + binding.getAddress().getPort()), Duration.ofSeconds(30), tokens);
            assertThat(access.check("u-bea", false, "org-b")).isEqualTo(OrganizationAccess.Verdict.ALLOWED);
            assertThat(access.check("u-bea", false, "org-b")).as("remembered").isEqualTo(OrganizationAccess.Verdict.ALLOWED);
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0)).startsWith("/internal/organizations/org-b/members/u-bea Bearer ey");
            assertThat(access.check("u-bob", false, "org-b")).isEqualTo(OrganizationAccess.Verdict.NOT_VISIBLE);
            assertThat(asked).hasSize(2);
            // operators see every organization; nobody is asked
            assertThat(access.check("u-ops", true, "org-z")).isEqualTo(OrganizationAccess.Verdict.ALLOWED);
            assertThat(asked).hasSize(2);
        } finally {
            binding.stop(0);
        }
        // binding-service away: no verdict to remember, the caller is told to try again
        OrganizationAccess away = new OrganizationAccess(URI.create("http://127.0.0.1:1"), Duration.ofSeconds(30),
                new ServiceTokens(new ServiceSecurityProperties.Client(TestTokens.tokenUri(), TestTokens.CLIENT_ID,
                        TestTokens.CLIENT_SECRET, null), Clock.systemUTC()));
        assertThat(away.check("u-bea", false, "org-b")).isEqualTo(OrganizationAccess.Verdict.DIRECTORY_UNAVAILABLE);
    }
}

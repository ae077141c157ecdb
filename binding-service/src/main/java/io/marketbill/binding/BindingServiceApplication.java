package io.marketbill.binding;

import java.time.Clock;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.servers.Server;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.filter.RelativeRedirectFilter;

/** Links marketplace subscriptions to the vendor's organizations. */
@SpringBootApplication
// the paths are the same on the service and at the gateway, so one relative server fits both
@OpenAPIDefinition(info = @Info(title = "binding-service", version = "0.1.0",
        description = "Bindings of subscriptions to the vendor's organizations, the directory administration, the audit; dead letters.",
        license = @License(name = "Apache-2.0")), servers = @Server(url = "/"))
@ConfigurationPropertiesScan
@EnableScheduling
public class BindingServiceApplication {

    /**
     * The binding page and the ops console are public: they run their own sign-in (ID-token cookies, packages page
     * and ops). The bindings API takes any signed-in user (it checks organization membership); membership itself
     * ({@code /internal/**}) billing-service's own token; the directory, dead letters and everything else are for
     * operators.
     */
    @org.springframework.context.annotation.Bean
    io.marketbill.security.ApiAccess apiAccess() {
        return new io.marketbill.security.ApiAccess(java.util.List.of("/binding", "/binding/**", "/ops", "/ops/**"),
                java.util.List.of("/api/bindings", "/api/bindings/**"), java.util.List.of("/internal/**"));
    }

    public static void main(String[] args) {
        SpringApplication.run(BindingServiceApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * The pages' redirects stay relative: a browser that came through the gateway is sent on within the gateway's
     * address. The servlet container would otherwise make {@code /binding} absolute with the host the request came
     * to, which behind the gateway is binding-service's own (http://127.0.0.1:8082/binding). A relative Location is
     * what RFC 9110 (section 10.2.2) allows; 302, as the pages always answered.
     */
    @Bean
    RelativeRedirectFilter relativeRedirects() {
        RelativeRedirectFilter filter = new RelativeRedirectFilter();
        filter.setRedirectStatus(HttpStatus.FOUND);
        return filter;
    }
}

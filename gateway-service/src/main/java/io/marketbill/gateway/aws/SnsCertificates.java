package io.marketbill.gateway.aws;

import io.marketbill.protocols.aws.SnsSignature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * SNS signing certificates: fetched only from AWS's SNS hosts over HTTPS (spec §2.4), or, when configured,
 * from the simulator's hosts, in which case they must be issued by its CA. Cached by URL.
 */
@Component
class SnsCertificates {

    /** Why a certificate was not used. */
    static final class Untrusted extends RuntimeException {
        final String reason;

        Untrusted(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private static final int MAX_CACHED = 200;

    private final WebClient web = WebClient.builder().build();
    private final Map<String, X509Certificate> cache = new ConcurrentHashMap<>();
    private final AwsProperties.Sns settings;
    private final X509Certificate testCa;

    SnsCertificates(AwsProperties props) throws IOException, GeneralSecurityException {
        this.settings = props.sns();
        if (settings.testCaPem() != null) {
            try (InputStream in = Files.newInputStream(settings.testCaPem())) {
                testCa = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        } else {
            testCa = null;
        }
    }

    Mono<X509Certificate> forUrl(String signingCertUrl) {
        URI url;
        try {
            url = URI.create(signingCertUrl == null ? "" : signingCertUrl);
        } catch (IllegalArgumentException e) {
            return Mono.error(new Untrusted("certificate_host", "SigningCertURL is not a URL"));
        }
        boolean aws = SnsSignature.isAwsCertificateUrl(url);
        boolean test = !aws && testCa != null && url.getHost() != null && url.getPath() != null
                && url.getPath().endsWith(".pem") && settings.testCertHosts().contains(url.getHost() + ":" + url.getPort());
        if (!aws && !test) {
            return Mono.error(new Untrusted("certificate_host", "certificate URL outside AWS: " + url.getHost()));
        }
        X509Certificate cached = cache.get(signingCertUrl);
        if (cached != null) {
            return Mono.just(cached);
        }
        return web.get().uri(url).retrieve().bodyToMono(byte[].class).timeout(Duration.ofSeconds(10))
                .map(bytes -> {
                    X509Certificate cert;
                    try {
                        cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                                .generateCertificate(new ByteArrayInputStream(bytes));
                        cert.checkValidity();
                        if (test) {
                            cert.verify(testCa.getPublicKey());
                        }
                    } catch (GeneralSecurityException e) {
                        throw new Untrusted("invalid_certificate", "certificate refused: " + e.getMessage());
                    }
                    if (cache.size() >= MAX_CACHED) {
                        cache.clear();
                    }
                    cache.put(signingCertUrl, cert);
                    return cert;
                });
    }
}

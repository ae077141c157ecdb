package io.marketbill.protocols.aws;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for the marketplace simulator and tests: it issues the certificates the
 * simulated SNS signs with. Our gateway trusts such a CA only when configured to. Needs BouncyCastle
 * ({@code bcpkix-jdk18on}) on the classpath.
 */
public final class CertificateAuthority {

    /** A key pair with its certificate. */
    public record Issued(KeyPair keys, X509Certificate certificate) {
        public PrivateKey privateKey() {
            return keys.getPrivate();
        }
    }

    private final Issued root;
    private final AtomicLong serial = new AtomicLong(2);

    private CertificateAuthority(Issued root) {
        this.root = root;
    }

    public static CertificateAuthority create(String name) {
        KeyPair keys = rsa();
        return new CertificateAuthority(new Issued(keys, build(new X500Name("CN=" + name), keys, keys.getPrivate(),
                new X500Name("CN=" + name), BigInteger.ONE, true)));
    }

    public X509Certificate certificate() {
        return root.certificate();
    }

    /** A leaf certificate for signing, issued by this CA. */
    public Issued issue(String commonName) {
        KeyPair keys = rsa();
        X509Certificate cert = build(new X500Name("CN=" + commonName), keys, root.privateKey(),
                new X500Name(root.certificate().getSubjectX500Principal().getName()),
                BigInteger.valueOf(serial.getAndIncrement()), false);
        return new Issued(keys, cert);
    }

    public static String pem(X509Certificate certificate) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(certificate);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate build(X500Name subject, KeyPair subjectKeys, PrivateKey issuerKey, X500Name issuer,
                                         BigInteger serial, boolean ca) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial,
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), subject,
                    subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue certificate " + subject, e);
        }
    }
}

package io.marketbill.protocols.aws;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Amazon SNS message signatures (spec §2.4): the string to sign per message type, SignatureVersion 1
 * (SHA1withRSA) and 2 (SHA256withRSA), and the rule for where a signing certificate may come from.
 */
public final class SnsSignature {

    /** Hosts AWS serves SNS signing certificates from, China included. */
    public static final Pattern AWS_CERT_HOST = Pattern.compile("^sns\\.[a-zA-Z0-9\\-]{3,}\\.amazonaws\\.com(\\.cn)?$");

    private static final List<String> NOTIFICATION_KEYS = List.of("Message", "MessageId", "Subject", "Timestamp",
            "TopicArn", "Type");
    private static final List<String> CONFIRMATION_KEYS = List.of("Message", "MessageId", "SubscribeURL", "Timestamp",
            "Token", "TopicArn", "Type");

    private SnsSignature() {
    }

    /** {@code key\nvalue\n} for each present key of the message's type, in the documented order. */
    public static String stringToSign(Map<String, String> message) {
        String type = message.get("Type");
        List<String> keys = "Notification".equals(type) ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
        StringBuilder sb = new StringBuilder();
        for (String key : keys) {
            String value = message.get(key);
            if (value != null) {
                sb.append(key).append('\n').append(value).append('\n');
            } else if (!key.equals("Subject")) {
                throw new IllegalArgumentException("SNS message lacks " + key);
            }
        }
        return sb.toString();
    }

    static String algorithm(String signatureVersion) {
        return switch (signatureVersion == null ? "" : signatureVersion) {
            case "1" -> "SHA1withRSA";
            case "2" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported SignatureVersion " + signatureVersion);
        };
    }

    /** True when {@code Signature} is the certificate's signature of the message. */
    public static boolean verify(Map<String, String> message, X509Certificate certificate) {
        try {
            Signature s = Signature.getInstance(algorithm(message.get("SignatureVersion")));
            s.initVerify(certificate.getPublicKey());
            s.update(stringToSign(message).getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(message.getOrDefault("Signature", "")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Signs a message as SNS does (the simulator's side); returns the base64 signature. */
    public static String sign(Map<String, String> message, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(algorithm(message.get("SignatureVersion")));
            s.initSign(key);
            s.update(stringToSign(message).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The documented rule for a certificate URL from AWS: https, a {@code .pem} path, an SNS host. */
    public static boolean isAwsCertificateUrl(URI url) {
        return url != null && "https".equals(url.getScheme()) && url.getHost() != null
                && AWS_CERT_HOST.matcher(url.getHost()).matches() && url.getPath() != null
                && url.getPath().endsWith(".pem") && url.getUserInfo() == null;
    }
}

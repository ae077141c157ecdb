package io.marketbill.protocols.aws;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (HMAC-SHA256), for the few JSON 1.1 calls we make (ResolveCustomer,
 * BatchMeterUsage, GetEntitlements) and for the simulator to check them.
 */
public final class SigV4 {

    public static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";

    /** Access key pair (and session token, for temporary credentials). Never logged. */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        @Override
        public String toString() {
            return "Credentials[accessKeyId=" + accessKeyId + ", secret=<hidden>]";
        }
    }

    /** What is signed: method, path (already URI-encoded), query (canonical form) and the headers to sign. */
    public record Request(String method, String path, String canonicalQuery, Map<String, String> headers,
                          String payloadSha256Hex) {
    }

    private SigV4() {
    }

    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lower-cased, trimmed, sorted header names and values (sequential spaces folded). */
    static TreeMap<String, String> canonicalHeaders(Map<String, String> headers) {
        TreeMap<String, String> h = new TreeMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v.strip().replaceAll("\\s+", " ")));
        return h;
    }

    public static String signedHeaders(Map<String, String> headers) {
        return String.join(";", canonicalHeaders(headers).keySet());
    }

    public static String canonicalRequest(Request r) {
        TreeMap<String, String> h = canonicalHeaders(r.headers());
        String headerBlock = h.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n")
                .collect(Collectors.joining());
        return r.method() + "\n" + (r.path().isEmpty() ? "/" : r.path()) + "\n" + r.canonicalQuery() + "\n"
                + headerBlock + "\n" + String.join(";", h.keySet()) + "\n" + r.payloadSha256Hex();
    }

    public static String scope(Instant at, String region, String service) {
        return AMZ_DATE.format(at).substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
    }

    public static String stringToSign(Request r, Instant at, String region, String service) {
        return ALGORITHM + "\n" + AMZ_DATE.format(at) + "\n" + scope(at, region, service) + "\n"
                + sha256Hex(canonicalRequest(r).getBytes(StandardCharsets.UTF_8));
    }

    public static String signature(Request r, Instant at, String region, String service, String secretAccessKey) {
        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8),
                AMZ_DATE.format(at).substring(0, 8));
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        return HexFormat.of().formatHex(hmac(key, stringToSign(r, at, region, service)));
    }

    /** The {@code Authorization} header value. */
    public static String authorization(Request r, Instant at, String region, String service, Credentials c) {
        return ALGORITHM + " Credential=" + c.accessKeyId() + "/" + scope(at, region, service) + ", SignedHeaders="
                + signedHeaders(r.headers()) + ", Signature=" + signature(r, at, region, service, c.secretAccessKey());
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.marketbill.protocols.aws;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    // the header form AWS documents (sigv4-signed-request-examples): Credential=<key>/<date>/<region>/<service>/aws4_request
    private static final Pattern AUTHORIZATION = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/,\\s]+)/(\\d{8})/([^/,]+)/"
            + "([^/,]+)/aws4_request,\\s*SignedHeaders=([a-z0-9;_.-]+),\\s*Signature=([0-9a-f]{64})");

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

    /**
     * Checks a received request's {@code Authorization} header as AWS does: the algorithm, the access key, the scope
     * (the date of {@code X-Amz-Date}, the region, the service), {@code X-Amz-Date} within {@code maxSkew} of
     * {@code now} (AWS allows 15 minutes), every signed header present ({@code host} and {@code x-amz-date} among them),
     * and the signature over the canonical request with the body's SHA-256, compared in constant time.
     *
     * @param header the received header of a (case-insensitive) name, or null
     * @return why the request is refused, or empty when the signature holds
     */
    public static Optional<String> verify(String method, String path, String canonicalQuery,
                                          Function<String, String> header, byte[] body, Instant now, Duration maxSkew,
                                          String region, String service, String accessKeyId, String secretAccessKey) {
        String auth = header.apply("Authorization");
        String date = header.apply("X-Amz-Date");
        if (auth == null || date == null) {
            return Optional.of("missing SigV4 authorization");
        }
        Matcher m = AUTHORIZATION.matcher(auth.strip());
        if (!m.matches()) {
            return Optional.of("malformed SigV4 authorization");
        }
        Instant at;
        try {
            at = AMZ_DATE.parse(date, Instant::from);
        } catch (RuntimeException e) {
            return Optional.of("bad X-Amz-Date");
        }
        if (Duration.between(at, now).abs().compareTo(maxSkew) > 0) {
            return Optional.of("Signature expired");
        }
        if (!m.group(1).equals(accessKeyId)) {
            return Optional.of("unknown access key");
        }
        if (!m.group(2).equals(AMZ_DATE.format(at).substring(0, 8)) || !m.group(3).equals(region)
                || !m.group(4).equals(service)) {
            return Optional.of("wrong credential scope");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : m.group(5).split(";")) {
            String value = header.apply(name);
            if (value == null) {
                return Optional.of("signed header " + name + " missing");
            }
            headers.put(name, value);
        }
        if (!headers.containsKey("host") || !headers.containsKey("x-amz-date")) {
            return Optional.of("host and x-amz-date must be signed");
        }
        String expected = signature(new Request(method, path, canonicalQuery, headers, sha256Hex(body)), at, region,
                service, secretAccessKey);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                m.group(6).getBytes(StandardCharsets.US_ASCII)) ? Optional.empty() : Optional.of("signature does not match");
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

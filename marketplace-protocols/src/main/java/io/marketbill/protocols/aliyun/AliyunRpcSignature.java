package io.marketbill.protocols.aliyun;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Alibaba Cloud RPC signature (HMAC-SHA1, SignatureVersion 1.0) of OpenAPI calls such as Market
 * {@code PushMeteringData}: parameters but {@code Signature}, sorted, RFC 3986-encoded, joined; then
 * {@code METHOD&%2F&encode(query)}, signed with {@code AccessKeySecret + "&"}, base64.
 */
public final class AliyunRpcSignature {

    private AliyunRpcSignature() {
    }

    /** RFC 3986 percent-encoding as Alibaba requires: space as %20, '*' as %2A, '~' kept. */
    public static String percentEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    public static String canonicalQuery(Map<String, String> params) {
        return new TreeMap<>(params).entrySet().stream().filter(e -> !e.getKey().equals("Signature"))
                .map(e -> percentEncode(e.getKey()) + "=" + percentEncode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    public static String stringToSign(String method, Map<String, String> params) {
        return method + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(params));
    }

    public static String sign(String method, Map<String, String> params, String accessKeySecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec((accessKeySecret + "&").getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(
                    mac.doFinal(stringToSign(method, params).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time check of the {@code Signature} parameter. */
    public static boolean verify(String method, Map<String, String> params, String accessKeySecret) {
        String given = params.get("Signature");
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                sign(method, params, accessKeySecret).getBytes(StandardCharsets.UTF_8));
    }
}

package io.marketbill.protocols.aliyun;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Alibaba Cloud Marketplace SPI token (spec §1.3): every parameter but {@code token}, unknown ones
 * included, sorted by name, joined as {@code k=v&...}, then {@code &key=<ISV key>}, MD5, lowercase hex.
 * Values are the decoded parameter values, UTF-8.
 */
public final class AliyunSpiToken {

    private AliyunSpiToken() {
    }

    /** The string that is hashed; exposed for tests and for the simulator. */
    public static String stringToSign(Map<String, String> params, String key) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
            if (e.getKey().equals("token")) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(e.getKey()).append('=').append(e.getValue() == null ? "" : e.getValue());
        }
        return sb.append("&key=").append(key).toString();
    }

    public static String compute(Map<String, String> params, String key) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest(stringToSign(params, key).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    /** Constant-time check of the {@code token} parameter against the others. */
    public static boolean verify(Map<String, String> params, String key) {
        String token = params.get("token");
        if (token == null || token.length() != 32) {
            return false;
        }
        byte[] expected = compute(params, key).getBytes(StandardCharsets.US_ASCII);
        byte[] actual = token.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, actual);
    }
}

package io.marketbill.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * JWTs from a test identity provider: RS256 with a key pair that exists only for tests
 * ({@code classpath:marketbill-test-identity/}). {@link #register} points a service's resource server at this
 * provider's JWKS, served over HTTP on a free port of 127.0.0.1 (the same path as production: a remote JWK set
 * and an issuer), so tests call the APIs the way the vendor's identity provider's users do.
 */
public final class TestTokens {

    public static final String ISSUER = "https://identity.test.marketbill.io";
    /** The audience of tokens meant for marketbill (the services' default {@code marketbill.security.audiences}). */
    public static final String AUDIENCE = "marketbill";
    /** A service's client at the test provider ({@link #tokenUri()}: client credentials, role {@code service}). */
    public static final String CLIENT_ID = "test-service";
    public static final String CLIENT_SECRET = "test-service-secret-of-the-test-identity-provider";
    public static final String PUBLIC_KEY_LOCATION = "classpath:marketbill-test-identity/public.pem";
    /**
     * The client id binding-service's sign-ins (the binding page, the ops console) send by default
     * ({@code marketbill.identity.client-id}): their ID tokens name it in {@code aud} and {@code azp}.
     */
    public static final String SIGN_IN_CLIENT_ID = "marketbill";
    /** RFC 9068's {@code typ} of JWT access tokens (section 2.1). */
    public static final String ACCESS_TOKEN_TYPE = "at+jwt";
    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();
    private static final PrivateKey KEY = loadKey();
    private static HttpServer jwks;
    private static volatile String signedIn = "u-test";

    private TestTokens() {
    }

    public static void register(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", TestTokens::jwkSetUri);
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> ISSUER);
    }

    /** The address of the test provider's JWKS (started on first use, for the whole JVM). */
    public static synchronized String jwkSetUri() {
        if (jwks == null) {
            try {
                RSAPublicKey pub = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(((RSAPrivateCrtKey) KEY).getModulus(),
                                ((RSAPrivateCrtKey) KEY).getPublicExponent()));
                Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
                byte[] body = ("{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"test\","
                        + "\"n\":\"" + b64.encodeToString(unsigned(pub.getModulus())) + "\",\"e\":\""
                        + b64.encodeToString(unsigned(pub.getPublicExponent())) + "\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                server.createContext("/jwks.json", exchange -> {
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
                server.createContext("/login", TestTokens::login);
                server.createContext("/token", TestTokens::clientCredentials);
                server.setExecutor(null);
                server.start();
                jwks = server;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("test JWKS server failed to start", e);
            }
        }
        return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";
    }

    /** The test provider's token endpoint (OAuth 2.0 client credentials, client {@link #CLIENT_ID}). */
    public static String tokenUri() {
        return jwkSetUri().replace("/jwks.json", "/token");
    }

    /** Points a service's own client ({@code marketbill.security.client.*}) at the test provider. */
    public static void registerClient(DynamicPropertyRegistry registry) {
        registry.add("marketbill.security.client.token-uri", TestTokens::tokenUri);
        registry.add("marketbill.security.client.client-id", () -> CLIENT_ID);
        registry.add("marketbill.security.client.client-secret", () -> CLIENT_SECRET);
    }

    /** How many service tokens the test provider has issued (a client should reuse one until it nears expiry). */
    public static int serviceTokensIssued() {
        return issued.get();
    }

    private static final java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();

    private static void clientCredentials(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        byte[] body;
        int status;
        if (!"POST".equals(exchange.getRequestMethod()) || !form.contains("grant_type=client_credentials")) {
            status = 400;
            body = "{\"error\":\"unsupported_grant_type\"}".getBytes(StandardCharsets.UTF_8);
        } else if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            status = 401;
            body = "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8);
        } else {
            status = 200;
            issued.incrementAndGet();
            // typed and shaped as RFC 9068 says, as a provider that follows it issues them
            body = ("{\"access_token\":\"" + accessToken(CLIENT_ID, List.of("service"), CLIENT_ID, null)
                    + "\",\"token_type\":\"Bearer\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /**
     * The test provider's sign-in page: like the local stack's development login, it answers with an OIDC
     * form_post of an ID token to {@code redirect_uri}, here for the user set with {@link #signInAs}, submitted by a
     * line of script (browsers) or a button. The token carries the request's {@code nonce}, and names its
     * {@code client_id} in {@code aud} and {@code azp} (OpenID Connect Core 1.0, sections 2 and 3.1.2.1).
     */
    public static String loginUrl() {
        return jwkSetUri().replace("/jwks.json", "/login");
    }

    public static void signInAs(String userId) {
        signedIn = userId;
        answer = null;
    }

    /**
     * What the sign-in page posts back instead of the right ID token, made from the authorization request's
     * parameters (e.g. a token without the request's nonce, or an access token): to see a browser refused. Null: the
     * right one again.
     */
    public static void signInWith(java.util.function.Function<java.util.Map<String, String>, String> idToken) {
        answer = idToken;
    }

    private static volatile java.util.function.Function<java.util.Map<String, String>, String> answer;

    private static void login(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
        java.util.Map<String, String> q = new java.util.HashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String html = "<!DOCTYPE html><html><body><form method=\"post\" action=\"" + escape(q.get("redirect_uri"))
                + "\"><input type=\"hidden\" name=\"id_token\" value=\"" + (answer != null ? answer.apply(q)
                : idToken(signedIn, List.of(), List.of(q.getOrDefault("client_id", SIGN_IN_CLIENT_ID)),
                q.getOrDefault("client_id", SIGN_IN_CLIENT_ID), q.get("nonce"))) + "\">"
                + "<input type=\"hidden\" name=\"state\" value=\"" + escape(q.get("state")) + "\">"
                + "<button type=\"submit\">Continue</button></form>"
                + "<script>document.forms[0].submit()</script></body></html>";
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** A user's token (no roles). */
    public static String user(String userId) {
        return token(userId, List.of(), Duration.ofMinutes(10));
    }

    /** An operator's token. */
    public static String operator(String userId) {
        return token(userId, List.of("operator"), Duration.ofMinutes(10));
    }

    /**
     * An OpenID Connect ID token from a browser sign-in at the test provider: {@code aud} and {@code azp} the sign-in
     * client ({@link #SIGN_IN_CLIENT_ID}), the {@code nonce} the sign-in sent (null: none).
     */
    public static String idToken(String subject, List<String> roles, String nonce) {
        return idToken(subject, roles, List.of(SIGN_IN_CLIENT_ID), SIGN_IN_CLIENT_ID, nonce);
    }

    /** An ID token with its audiences and authorized party chosen ({@code azp} null: no such claim). */
    public static String idToken(String subject, List<String> roles, List<String> audiences, String azp,
                                 String nonce) {
        java.util.Map<String, Object> claims = claims(subject, roles, audiences, Duration.ofMinutes(10));
        if (azp != null) {
            claims.put("azp", azp);
        }
        if (nonce != null) {
            claims.put("nonce", nonce);
        }
        return jwt(header("JWT"), claims);
    }

    /**
     * An access token as RFC 9068 shapes them: {@code typ} {@code at+jwt}, {@code client_id} the client it was
     * issued to, {@code scope}, for marketbill's audience; with a {@code nonce} claim unless null (some providers
     * copy the sign-in's nonce into access tokens too).
     */
    public static String accessToken(String subject, List<String> roles, String clientId, String nonce) {
        java.util.Map<String, Object> claims = claims(subject, roles, List.of(AUDIENCE), Duration.ofMinutes(5));
        claims.put("client_id", clientId);
        claims.put("scope", "openid marketbill");
        if (nonce != null) {
            claims.put("nonce", nonce);
        }
        return jwt(header(ACCESS_TOKEN_TYPE), claims);
    }

    /** A JOSE header of the test key: RS256, its key id, and {@code typ} unless null. */
    public static java.util.Map<String, Object> header(String typ) {
        java.util.Map<String, Object> header = new java.util.LinkedHashMap<>();
        header.put("alg", "RS256");
        if (typ != null) {
            header.put("typ", typ);
        }
        header.put("kid", "test");
        return header;
    }

    /** The test provider's usual claims, issued now: {@code iss}, {@code sub}, {@code name}, {@code aud}, times, roles. */
    public static java.util.Map<String, Object> claims(String subject, List<String> roles, List<String> audiences,
                                                       Duration validFor) {
        Instant now = Instant.now();
        java.util.Map<String, Object> claims = new java.util.LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("name", subject);
        claims.put("aud", audiences.size() == 1 ? audiences.get(0) : audiences);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(validFor).getEpochSecond());
        claims.put("roles", roles);
        return claims;
    }

    /** Any JWT signed with the test key: for tokens of a kind the other helpers do not make. */
    public static String jwt(java.util.Map<String, Object> header, java.util.Map<String, Object> claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return sign(b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims)), KEY);
    }

    private static String sign(String signingInput, PrivateKey key) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The claims of a JWT (or of {@code Bearer <jwt>}) as JSON text, unverified: for stubs and tests that look at what
     * a service sent; null when it is not a JWT.
     */
    public static String claimsOf(String token) {
        String jwt = token == null ? "" : token.replaceFirst("^Bearer ", "");
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code Authorization} header value. */
    public static String bearer(String token) {
        return "Bearer " + token;
    }

    public static String token(String subject, List<String> roles, Duration validFor) {
        return token(ISSUER, subject, roles, Instant.now(), validFor, KEY);
    }

    /** A token with everything chosen: to test expired, foreign-issuer or wrongly signed tokens. */
    public static String token(String issuer, String subject, List<String> roles, Instant issuedAt,
                               Duration validFor, PrivateKey key) {
        return token(issuer, AUDIENCE, subject, roles, issuedAt, validFor, key);
    }

    /**
     * A token with everything chosen, the audience too ({@code null}: no {@code aud} claim) and the lifetime
     * ({@code null}: no {@code exp} claim, a token that would be valid forever).
     */
    public static String token(String issuer, String audience, String subject, List<String> roles, Instant issuedAt,
                               Duration validFor, PrivateKey key) {
        return token(issuer, audience, subject, roles, issuedAt, validFor, key, "test");
    }

    /** The same, signed by another provider's key with its key id (say, the local stack's development login). */
    public static String token(String issuer, String audience, String subject, List<String> roles, Instant issuedAt,
                               Duration validFor, PrivateKey key, String kid) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
        String claims = "{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\",\"name\":\"" + subject
                + (audience == null ? "" : "\",\"aud\":\"" + audience) + "\",\"iat\":" + issuedAt.getEpochSecond()
                + (validFor == null ? "" : ",\"exp\":" + issuedAt.plus(validFor).getEpochSecond())
                + ",\"roles\":[" + roles.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(",")) + "]}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return sign(b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)), key);
    }

    public static PrivateKey testKey() {
        return KEY;
    }

    private static PrivateKey loadKey() {
        try (InputStream in = TestTokens.class.getResourceAsStream("/marketbill-test-identity/private.pem")) {
            return privateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("test identity key unreadable", e);
        }
    }

    /** An RSA private key from its PKCS#8 PEM. */
    public static PrivateKey privateKey(String pem) {
        try {
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("not a PKCS#8 RSA key", e);
        }
    }
}

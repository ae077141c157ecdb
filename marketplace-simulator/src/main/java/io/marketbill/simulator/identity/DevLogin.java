package io.marketbill.simulator.identity;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * {@code /dev-login}: the vendor's identity provider, played for the local stack and vendors' CI. Anyone may sign
 * in as any user id, without a password: never expose it beyond a development machine. The browser flow ends
 * like OIDC's {@code response_mode=form_post}: a form that posts {@code id_token} and {@code state} to the
 * {@code redirect_uri}, which must start with one of {@code simulator.identity.allowed-redirect-prefixes}. The ID
 * token carries the authorization request's {@code nonce} and names its {@code client_id} in {@code aud} and
 * {@code azp}, as an OpenID provider's does (OpenID Connect Core 1.0 sections 2 and 3.1.2.1), so the pages check it
 * here as they do with the vendor's provider; the access tokens (for services and scripts) are RFC 9068's, typed
 * {@code at+jwt}, so that neither passes for the other.
 */
@RestController
class DevLogin {

    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    /** A client id, and a nonce: printable ASCII without quotes or spaces (OAuth's VSCHAR, RFC 6749 appendix A). */
    private static final Pattern CLIENT_ID = Pattern.compile("[!#-~]{1,128}");
    private static final Pattern NONCE = Pattern.compile("[!#-~]{1,512}");
    /** The {@code client_id} of tokens from {@code /dev-login/token} (a script, not a registered client). */
    static final String SCRIPT_CLIENT = "dev-login";
    private static final MediaType HTML = new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8);

    private final IdentityTokens tokens;
    private final List<String> users;
    private final List<String> allowedRedirectPrefixes;
    private final Map<String, Client> clients;

    /** A service's client: its secret and the roles its tokens carry. */
    record Client(String secret, List<String> roles) {
    }

    DevLogin(IdentityTokens tokens, @Value("${simulator.identity.users:}") String users,
             @Value("${simulator.identity.allowed-redirect-prefixes}") String allowedRedirectPrefixes,
             @Value("${simulator.identity.clients:}") String clients) {
        this.tokens = tokens;
        this.clients = clients(clients);
        this.users = list(users);
        this.allowedRedirectPrefixes = list(allowedRedirectPrefixes);
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code id=secret=role+role,...}: the services' clients (development secrets only). */
    private static Map<String, Client> clients(String spec) {
        Map<String, Client> out = new java.util.HashMap<>();
        for (String entry : list(spec)) {
            String[] p = entry.split("=", 3);
            if (p.length != 3 || p[0].isBlank() || p[1].isBlank()) {
                throw new IllegalStateException("simulator.identity.clients: an entry is not id=secret=role+role");
            }
            out.put(p[0].strip(), new Client(p[1].strip(), p[2].isBlank() ? List.of() : List.of(p[2].strip().split("\\+"))));
        }
        return Map.copyOf(out);
    }

    /**
     * The token endpoint for services (OAuth 2.0 client credentials, RFC 6749 §4.4): the client authenticates with
     * HTTP Basic (§2.3.1) and gets a short-lived access token whose subject is its client id and whose roles are its
     * configured ones. Errors as §5.2 says: {@code invalid_client} (401), {@code unsupported_grant_type} (400).
     */
    @PostMapping(path = "/dev-login/oauth/token", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> clientCredentials(
            @org.springframework.web.bind.annotation.RequestHeader(name = "Authorization", required = false)
            String authorization, @RequestParam(name = "grant_type", required = false) String grantType) {
        if (!"client_credentials".equals(grantType)) {
            return ResponseEntity.badRequest().body(Map.of("error", "unsupported_grant_type"));
        }
        String[] credentials = basic(authorization);
        Client client = credentials == null ? null : clients.get(credentials[0]);
        if (client == null || !java.security.MessageDigest.isEqual(client.secret().getBytes(StandardCharsets.UTF_8),
                credentials[1].getBytes(StandardCharsets.UTF_8))) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Basic realm=\"dev-login\"")
                    .body(Map.of("error", "invalid_client"));
        }
        java.time.Duration lifetime = java.time.Duration.ofMinutes(5);
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(Map.of(
                "access_token", tokens.accessToken(credentials[0], client.roles(), credentials[0], lifetime),
                "token_type", "Bearer", "expires_in", lifetime.toSeconds()));
    }

    private static String[] basic(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String pair = new String(java.util.Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon < 0 ? null : new String[] {
                    java.net.URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @GetMapping(path = "/dev-login/jwks.json", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> jwks() {
        return tokens.jwks();
    }

    /**
     * For scripts: {@code user} and optional {@code role} (form or query) give an access token for the APIs as plain
     * text (a user's, as the vendor's console would have; no ID token: it opens no sign-in).
     */
    @PostMapping(path = "/dev-login/token", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> token(@RequestParam(required = false) String user,
                                 @RequestParam(required = false) List<String> role) {
        String problem = checkUserAndRoles(user, role);
        if (problem != null) {
            return ResponseEntity.badRequest().contentType(MediaType.TEXT_PLAIN).body(problem + "\n");
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).contentType(MediaType.TEXT_PLAIN)
                .body(tokens.accessToken(user, roles(role), SCRIPT_CLIENT));
    }

    /**
     * The authorization endpoint's page. It takes {@code client_id} and {@code nonce} on to the sign-in; the other
     * parameters of an OIDC authorization request ({@code response_type}, {@code response_mode}, {@code scope}) are
     * what it does anyway (an ID token, by form_post).
     */
    @GetMapping(path = "/dev-login", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> loginPage(@RequestParam(name = "redirect_uri", required = false) String redirectUri,
                                     @RequestParam(required = false) String state,
                                     @RequestParam(name = "client_id", required = false) String clientId,
                                     @RequestParam(required = false) String nonce) {
        if (!allowedRedirect(redirectUri)) {
            return refusal("返回地址不在允许列表中。", "The redirect_uri is not on the allow-list ("
                    + String.join(", ", allowedRedirectPrefixes) + ").");
        }
        String problem = checkClientAndNonce(clientId, nonce);
        if (problem != null) {
            return refusal("client_id 或 nonce 无效。", problem);
        }
        String suggestions = users.stream().map(u -> "<option value=\"" + esc(u) + "\">")
                .collect(Collectors.joining());
        String demoUsers = users.isEmpty() ? "" : "<p class=\"hint\">演示用户 <span lang=\"en\">Demo users</span>: "
                + users.stream().map(u -> "<code>" + esc(u) + "</code>").collect(Collectors.joining(" ")) + "</p>";
        String body = """
                <h1>开发登录 <span lang="en">Development login</span></h1>
                <p class="note">本机的开发身份提供者：不校验密码，任何人都能以任何用户登录，只用于开发和测试。<br>
                <span lang="en">The development identity provider: no password, anyone may sign in as anyone. For
                development and tests only.</span></p>
                <form method="post" action="/dev-login">
                <input type="hidden" name="redirect_uri" value="%s">%s%s%s
                <label for="user">用户 ID <span lang="en">User ID</span></label>
                <input id="user" name="user" list="users" required autofocus autocomplete="username"
                       pattern="[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}" placeholder="u-alice">
                <datalist id="users">%s</datalist>
                %s
                <label class="check"><input type="checkbox" name="role" value="operator">
                运维人员 <span lang="en">Operator</span></label>
                <button type="submit">登录 <span lang="en">Sign in</span></button>
                </form>
                <p class="hint">登录后返回 <span lang="en">Returns to</span>: <code class="url">%s</code></p>
                """.formatted(esc(redirectUri), hidden("state", state), hidden("client_id", clientId),
                hidden("nonce", nonce), suggestions, demoUsers, esc(redirectUri));
        return page(HttpStatus.OK, "开发登录 / Development login", body);
    }

    /** Signs the user in: answers a form that carries the ID token to the redirect URI (OIDC form_post). */
    @PostMapping(path = "/dev-login", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> signIn(@RequestParam(required = false) String user,
                                  @RequestParam(name = "redirect_uri", required = false) String redirectUri,
                                  @RequestParam(required = false) String state,
                                  @RequestParam(required = false) List<String> role,
                                  @RequestParam(name = "client_id", required = false) String clientId,
                                  @RequestParam(required = false) String nonce) {
        if (!allowedRedirect(redirectUri)) {
            return refusal("返回地址不在允许列表中。", "The redirect_uri is not on the allow-list ("
                    + String.join(", ", allowedRedirectPrefixes) + ").");
        }
        String problem = checkUserAndRoles(user, role);
        if (problem != null) {
            return refusal("用户 ID 或角色无效。", problem);
        }
        problem = checkClientAndNonce(clientId, nonce);
        if (problem != null) {
            return refusal("client_id 或 nonce 无效。", problem);
        }
        String body = """
                <h1>已登录为 %s <span lang="en">Signed in as %s</span></h1>
                <form method="post" action="%s">
                <input type="hidden" name="id_token" value="%s">%s
                <p class="note">正在返回应用；如未自动跳转，请点击继续。<br>
                <span lang="en">Returning to the application; if nothing happens, continue.</span></p>
                <button type="submit">继续 <span lang="en">Continue</span></button>
                </form>
                <script>document.forms[0].submit();</script>
                """.formatted(esc(user), esc(user), esc(redirectUri),
                tokens.idToken(user, roles(role), clientId, nonce), hidden("state", state));
        // the page holds a token: not to be cached or shown again from history
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).contentType(HTML)
                .body(html("继续 / Continue", body));
    }

    /**
     * Only an absolute http(s) URI without user info (so {@code http://127.0.0.1:80@elsewhere} does not pass)
     * that starts with an allowed prefix.
     */
    boolean allowedRedirect(String redirectUri) {
        if (redirectUri == null || redirectUri.isBlank()) {
            return false;
        }
        try {
            URI uri = new URI(redirectUri);
            if (!uri.isAbsolute() || uri.getRawUserInfo() != null || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                return false;
            }
        } catch (URISyntaxException e) {
            return false;
        }
        return allowedRedirectPrefixes.stream().anyMatch(redirectUri::startsWith);
    }

    private static String checkUserAndRoles(String user, List<String> roles) {
        if (user == null || !USER_ID.matcher(user).matches()) {
            return "user: a user id of letters, digits and . _ @ - (at most 64) is required";
        }
        for (String r : roles(roles)) {
            if (!ROLE.matcher(r).matches()) {
                return "role: lower-case letters, digits, _ and - (at most 32)";
            }
        }
        return null;
    }

    /** Both optional (a client that sends neither gets a token without them); when given, plain tokens only. */
    private static String checkClientAndNonce(String clientId, String nonce) {
        if (clientId != null && !CLIENT_ID.matcher(clientId).matches()) {
            return "client_id: printable ASCII without spaces or quotes (at most 128)";
        }
        if (nonce != null && !NONCE.matcher(nonce).matches()) {
            return "nonce: printable ASCII without spaces or quotes (at most 512)";
        }
        return null;
    }

    private static List<String> roles(List<String> role) {
        return role == null ? List.of() : role.stream().map(String::strip).filter(r -> !r.isEmpty()).distinct().toList();
    }

    private static String esc(String s) {
        return HtmlUtils.htmlEscape(s, StandardCharsets.UTF_8.name());
    }

    private static String hidden(String name, String value) {
        return value == null ? "" : "\n<input type=\"hidden\" name=\"" + name + "\" value=\"" + esc(value) + "\">";
    }

    private static ResponseEntity<String> refusal(String zh, String en) {
        return page(HttpStatus.BAD_REQUEST, "无法登录 / Cannot sign in",
                "<h1>无法登录 <span lang=\"en\">Cannot sign in</span></h1><p>" + esc(zh) + "</p><p lang=\"en\">"
                        + esc(en) + "</p>");
    }

    private static ResponseEntity<String> page(HttpStatus status, String title, String body) {
        return ResponseEntity.status(status).contentType(HTML).body(html(title, body));
    }

    private static String html(String title, String body) {
        return """
                <!DOCTYPE html>
                <html lang="zh-CN"><head><meta charset="utf-8"><title>%s</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>
                body{font-family:system-ui,sans-serif;background:#f5f6f8;color:#222;margin:0}
                main{max-width:26em;margin:4em auto;padding:2em;background:#fff;border-radius:8px;
                box-shadow:0 1px 4px rgba(0,0,0,.1)}
                h1{font-size:1.3em;margin-top:0}
                [lang=en]{color:#666;font-weight:normal}
                button [lang=en]{color:#dbe6ff}
                label{display:block;margin:1em 0 .3em}
                label.check{display:flex;gap:.5em;align-items:center}
                input[name=user]{width:100%%;box-sizing:border-box;padding:.5em;font-size:1em}
                button{margin-top:1.2em;padding:.6em 1.4em;font-size:1em;background:#1f6feb;color:#fff;border:0;
                border-radius:4px;cursor:pointer}
                .note,.hint{font-size:.9em;color:#555}
                code{background:#eef;padding:0 .2em;white-space:nowrap}
                code.url{white-space:normal;word-break:break-all}
                </style></head>
                <body><main>
                %s</main></body></html>
                """.formatted(esc(title), body);
    }
}

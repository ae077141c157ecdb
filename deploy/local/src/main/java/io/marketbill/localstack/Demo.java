package io.marketbill.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code stack demo}: plays the seed stories against the running stack through the marketplace simulator
 * and prints what happened at each step: subscribe, bind (in the browser flow and through the API, with the
 * refusals the seeds describe), freeze, switch the paying account, re-subscribe, unsubscribe. The demo
 * organizations and users are seeded by binding-service from {@code deploy/local/directory-seed.json}; running the
 * demo again plays the stories again with new subscriptions, and meters usage for two of them.
 */
final class Demo {

    private final StackConfig config;
    /** The operator the demo reads subscriptions as (the APIs behind the gateway need a token). */
    static final String OPERATOR = "ops-demo";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private int failures;
    private String operatorToken;

    Demo(StackConfig config) {
        this.config = config;
    }

    private String sim(String path) {
        return config.url(config.simulatorPort()) + path;
    }

    private String gw(String path) {
        return config.url(config.gatewayPort()) + path;
    }

    private HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A call to the gateway's APIs, as the operator. */
    private HttpResponse<String> getApi(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + operatorToken)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static String status(String json) {
        Matcher m = Pattern.compile("\"status\"\\s*:\\s*(\\d+)").matcher(json);
        return m.find() ? "gateway answered " + m.group(1) : json;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void step(String what, String outcome) {
        System.out.printf("  %-58s %s%n", what, outcome);
    }

    /** Waits until the subscription, read through the gateway, satisfies the check. */
    private void expectState(String subscriptionId, String state) throws Exception {
        String url = gw("/api/subscriptions/" + enc(subscriptionId));
        Predicate<String> ok = body -> body.contains("\"state\":\"" + state + "\"");
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body = "";
        while (System.nanoTime() < until) {
            body = getApi(url).body();
            if (ok.test(body)) {
                step("  subscription " + subscriptionId, "state " + state);
                return;
            }
            Thread.sleep(300);
        }
        failures++;
        step("  subscription " + subscriptionId, "EXPECTED " + state + ", got " + body);
    }

    private String aliyunBuy(String product, String account) throws Exception {
        HttpResponse<String> r = post(sim("/sim/aliyun/instances"), "{\"productCode\":\"" + product
                + "\",\"aliUid\":\"" + account + "\",\"skuId\":\"payg\",\"trial\":false}");
        String id = field(r.body(), "orderBizId");
        step("Alibaba: buyer " + account + " opens " + product, "instanceId " + field(r.body(), "instanceId"));
        return id;
    }

    private void aliyun(String instanceId, String operation, String body) throws Exception {
        HttpResponse<String> r = post(sim("/sim/aliyun/instances/" + instanceId + "/" + operation), body);
        step("Alibaba: " + operation + " " + instanceId, "delivered=" + r.body().contains("\"delivered\":true"));
    }

    /** A browser of its own (cookies) that does not follow redirects, so each hop can be shown. */
    private static HttpClient browser() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).cookieHandler(new java.net.CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * A step of the buyer's browser. Every redirect it is given must keep it on the public address (relative, or
     * {@code PUBLIC_BASE_URL}) or send it to the identity provider's sign-in, never to a service's own port: a step
     * that does fails the demo (and so the stack's system test).
     */
    private HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        String location = r.headers().firstValue("Location").orElse(null);
        if (location != null && !((location.startsWith("/") && !location.startsWith("//"))
                || location.startsWith(gw("/")) || location.startsWith(config.identityIssuer()))) {
            failures++;
            step("  the browser was sent off the public address " + gw(""), "EXPECTED a redirect on it, got "
                    + location);
        }
        return r;
    }

    private static HttpRequest form(String url, String form) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    }

    private static String attr(String html, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(html);
        return m.find() ? m.group(1).replace("&amp;", "&") : null;
    }

    /**
     * The buyer's browser: 免登 at the marketplace → the gateway's free-login check → the binding page → sign-in at
     * the identity provider (the development login) → back to the page → confirm the organization.
     */
    private void bindInBrowser(String instanceId, String user, String organizationId, String expected)
            throws Exception {
        confirmInBrowser(signInAtBindingPage(instanceId, user), user, organizationId, expected);
    }

    /** 免登, then the sign-in at the vendor's identity provider: the browser, signed in, at the binding page. */
    private HttpClient signInAtBindingPage(String instanceId, String user) throws Exception {
        HttpClient b = browser();
        String url = freeLoginUrl(instanceId);
        HttpResponse<String> r = send(b, HttpRequest.newBuilder(URI.create(url)).build());
        String page = r.headers().firstValue("Location").orElse("");
        step("Alibaba: buyer clicks 免登 (free login)", r.statusCode() + " to the binding page with a ticket");
        r = send(b, HttpRequest.newBuilder(URI.create(page)).build());
        r = send(b, HttpRequest.newBuilder(URI.create(gw("/binding"))).build());
        String login = r.headers().firstValue("Location").orElse("");
        step("  binding page: not signed in", r.statusCode() + " to the vendor's login");
        // what the login page's form carries on: the authorization request's redirect_uri, state, client_id and
        // nonce (the ID token must carry the nonce back, or the binding page refuses the sign-in)
        StringBuilder signIn = new StringBuilder("user=" + enc(user));
        for (String name : new String[] {"redirect_uri", "state", "client_id", "nonce"}) {
            String value = attr(login, "[?&]" + name + "=([^&]+)");
            if (value != null) {
                signIn.append('&').append(name).append('=')
                        .append(enc(java.net.URLDecoder.decode(value, StandardCharsets.UTF_8)));
            }
        }
        HttpResponse<String> posted = send(b, form(config.identityIssuer(), signIn.toString()));
        String idToken = attr(posted.body(), "name=\"id_token\" value=\"([^\"]+)\"");
        String state = attr(posted.body(), "name=\"state\" value=\"([^\"]+)\"");
        r = send(b, form(gw("/binding/login"), "id_token=" + enc(idToken) + "&state=" + enc(state)));
        step("  " + user + " signs in (form_post of the ID token)", r.statusCode() == 302 ? "signed in" : "HTTP "
                + r.statusCode());
        return b;
    }

    /** The signed-in browser on the binding page: the user's organizations, then the confirmation of one. */
    private void confirmInBrowser(HttpClient b, String user, String organizationId, String expected) throws Exception {
        HttpResponse<String> r = send(b, HttpRequest.newBuilder(URI.create(gw("/binding")))
                .header("Accept-Language", "zh-CN").build());
        String options = String.join(", ", Pattern.compile("data-org=\"([^\"]+)\"").matcher(r.body()).results()
                .map(m -> m.group(1)).toList());
        step("  binding page lists " + user + "'s organizations", options.isEmpty() ? "(none)" : options);
        String token = attr(r.body(), "name=\"form_token\" value=\"([^\"]+)\"");
        if (token == null) {
            expect("  confirm " + organizationId, r.body().contains("您不属于任何组织") ? "no_organization" : "no form",
                    expected);
            return;
        }
        r = send(b, form(gw("/binding/confirm"), "organizationId=" + enc(organizationId) + "&form_token=" + enc(token)));
        String outcome = r.body().contains("id=\"bound\"") ? "bound" : r.body().contains("权限不足")
                ? "insufficient_permission" : r.body().contains("已绑定云市场订阅") ? "already_bound"
                : "HTTP " + r.statusCode();
        expect("  " + user + " confirms " + organizationId, outcome, expected);
    }

    /**
     * A buyer without a vendor account registers first (R5): signed in before the vendor's platform has created their
     * organization, the binding page says it is on its way and looks again by itself; once it is there, it binds.
     */
    private void signUpThenBind(String instanceId) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        String user = "u-new-" + run;
        String organizationId = "org-new-" + run;
        HttpClient b = signInAtBindingPage(instanceId, user);
        HttpResponse<String> r = send(b, HttpRequest.newBuilder(URI.create(gw("/binding")))
                .header("Accept-Language", "zh-CN").build());
        boolean waiting = r.statusCode() == 202 && r.headers().firstValue("Retry-After").isPresent()
                && r.body().contains("http-equiv=\"refresh\"") && r.body().contains("正在创建");
        check("  binding page while " + user + "'s organization is being created", waiting, waiting
                ? "202: on its way, the page refreshes itself" : "HTTP " + r.statusCode());
        // the vendor's platform creates the organization after the sign-up (here the operator, through the directory)
        api("PUT", gw("/api/directory/organizations/" + enc(organizationId)), "{\"name\":\"New team " + run
                + "\",\"site\":null}");
        api("PUT", gw("/api/directory/organizations/" + enc(organizationId) + "/members/" + enc(user)),
                "{\"role\":\"ADMIN\",\"email\":\"" + user + "@new.example\",\"name\":\"New buyer\","
                        + "\"language\":\"zh-CN\"}");
        step("  the vendor's platform creates " + organizationId, "admin " + user);
        waitFor(() -> send(b, HttpRequest.newBuilder(URI.create(gw("/binding"))).build()).body()
                .contains("data-org=\"" + organizationId + "\""));
        confirmInBrowser(b, user, organizationId, "bound");
    }

    private void api(String method, String url, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").header("Authorization", "Bearer " + operatorToken)
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            failures++;
            step("  " + method + " " + url, "UNEXPECTED " + r.statusCode() + " " + r.body());
        }
    }

    /** The vendor console's way: the JSON API with the user's token. */
    private String bindWithApi(String user, String json, String expected) throws Exception {
        String token = DevLoginTokens.fetch(config, user, null);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw("/api/bindings")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept-Language", "zh-CN").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        String outcome = r.statusCode() == 201 || r.statusCode() == 200 ? "bound" : field(r.body(), "error");
        String message = r.statusCode() < 300 ? "" : " (" + field(r.body(), "message") + ")";
        expect("  " + user + " binds via the API: " + json.replaceAll("\"ticket\":\"[^\"]+\"", "\"ticket\":\"...\""),
                outcome + message, expected);
        return r.body();
    }

    private final java.util.Map<String, Long> lastFreeLogin = new java.util.HashMap<>();

    /**
     * A fresh free-login link. The marketplace stamps it to the second and the gateway refuses a link used before, so
     * a second click on the same instance waits for the next second, as a person would.
     */
    private String freeLoginUrl(String instanceId) throws Exception {
        Long last = lastFreeLogin.get(instanceId);
        if (last != null) {
            long waitMillis = 1100 - (System.currentTimeMillis() - last);
            if (waitMillis > 0) {
                Thread.sleep(waitMillis);
            }
        }
        lastFreeLogin.put(instanceId, System.currentTimeMillis());
        return field(get(sim("/sim/aliyun/instances/" + instanceId + "/free-login")).body(), "url");
    }

    private String ticketFor(String instanceId) throws Exception {
        String url = freeLoginUrl(instanceId);
        String location = browser().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).headers().firstValue("Location").orElse("");
        return java.net.URLDecoder.decode(attr(location, "ticket=([^&]+)"), StandardCharsets.UTF_8);
    }

    private void unbind(String user, String subscriptionId, String organizationId) throws Exception {
        String token = DevLoginTokens.fetch(config, user, null);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw("/api/bindings/subscriptions/"
                + enc(subscriptionId) + "/organizations/" + enc(organizationId))))
                .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        expect("  " + user + " unbinds " + organizationId, r.statusCode() == 200 ? "unbound" : field(r.body(), "error"),
                "unbound");
    }

    private void expect(String what, String outcome, String expected) {
        boolean ok = outcome.startsWith(expected);
        if (!ok) {
            failures++;
        }
        step(what, ok ? outcome : "EXPECTED " + expected + ", got " + outcome);
    }

    /** Waits until the organization's billing overview (through the gateway) shows what is expected. */
    private void expectOrganization(String organizationId, String what, String... fragments) throws Exception {
        String url = gw("/api/bindings/organizations/" + enc(organizationId));
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body = "";
        while (System.nanoTime() < until) {
            body = getApi(url).body();
            String b = body;
            if (java.util.Arrays.stream(fragments).allMatch(b::contains)) {
                step("  " + organizationId, what);
                return;
            }
            Thread.sleep(300);
        }
        failures++;
        step("  " + organizationId, "EXPECTED " + what + ", got " + body);
    }

    /** As {@link #expectOrganization}, waiting up to {@code seconds} (a close action comes after its grace). */
    private void expectOrganizationWithin(long seconds, String organizationId, String what, String... fragments)
            throws Exception {
        String url = gw("/api/bindings/organizations/" + enc(organizationId));
        String[] body = {""};
        waitFor(Duration.ofSeconds(seconds), () -> {
            body[0] = getApi(url).body();
            return java.util.Arrays.stream(fragments).allMatch(body[0]::contains);
        });
        check("  " + organizationId, java.util.Arrays.stream(fragments).allMatch(body[0]::contains),
                java.util.Arrays.stream(fragments).allMatch(body[0]::contains) ? what : body[0]);
    }

    /**
     * A close timing of the running stack: as this demo was given it, else as the stack was started with it (its
     * ready file, when the demo runs in another shell), else the products file's default.
     */
    private Duration timing(String name) throws IOException {
        if (config.closeGraces().containsKey(name)) {
            return config.closeTiming(name);
        }
        java.nio.file.Path ready = config.dataDir().resolve("ready");
        if (java.nio.file.Files.exists(ready)) {
            for (String line : java.nio.file.Files.readAllLines(ready)) {
                if (line.startsWith("close." + name + "=")) {
                    return StackConfig.duration(line.substring(line.indexOf('=') + 1));
                }
            }
        }
        return config.closeTiming(name);
    }

    private final tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();

    /** The instance's 前台地址 (front-end URL), as the marketplace keeps it from our answer to createInstance. */
    private String frontEndUrl(String orderBizId) throws Exception {
        for (tools.jackson.databind.JsonNode i : json.readTree(get(sim("/sim/aliyun/instances")).body())) {
            if (i.path("orderBizId").asString().equals(orderBizId)) {
                return i.path("frontEndUrl").asString(null);
            }
        }
        return null;
    }

    /**
     * The buyer opens the 前台地址 (应用信息 → 前台地址) in a browser of their own: what it shows now. Never binds: the
     * URL is the marketplace's, shown to whoever sees the instance.
     */
    private void frontEnd(String orderBizId, String state, int status, String what, String... fragments)
            throws Exception {
        String url = frontEndUrl(orderBizId);
        if (url == null) {
            failures++;
            step("  前台地址 of " + orderBizId + " (" + state + ")", "EXPECTED a front-end URL, the marketplace has none");
            return;
        }
        HttpResponse<String> r = browser().send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept-Language", "zh-CN").build(), HttpResponse.BodyHandlers.ofString());
        String location = r.headers().firstValue("Location").orElse("");
        boolean ok = r.statusCode() == status && (status / 100 == 3
                ? java.util.Arrays.stream(fragments).allMatch(location::startsWith)
                : java.util.Arrays.stream(fragments).allMatch(r.body()::contains));
        check("  前台地址 (" + state + ")", ok, ok ? status + ": " + what : "HTTP " + r.statusCode() + " "
                + (location.isEmpty() ? "without " + java.util.Arrays.toString(fragments) : "to " + location));
    }

    /**
     * The mails of one type to one recipient planned since a moment, once notification-service has sent them: waits
     * until {@code count} are sent (up to {@code seconds}), then checks that exactly that many exist.
     */
    private java.util.List<tools.jackson.databind.JsonNode> expectMails(String recipient, String type,
                                                                         java.time.Instant since, int count,
                                                                         long seconds, String what) throws Exception {
        java.util.List<tools.jackson.databind.JsonNode> found = new java.util.ArrayList<>();
        waitFor(Duration.ofSeconds(seconds), () -> {
            found.clear();
            for (tools.jackson.databind.JsonNode m : json.readTree(getApi(gw("/api/notifications/mails?recipient="
                    + enc(recipient) + "&type=" + type)).body()).path("mails")) {
                if (!java.time.Instant.parse(m.path("createdAt").asString()).isBefore(since)) {
                    found.add(m);
                }
            }
            return count > 0 && found.size() >= count && found.stream()
                    .allMatch(m -> m.path("state").asString().equals("SENT"));
        });
        boolean ok = found.size() == count && found.stream().allMatch(m -> m.path("state").asString().equals("SENT"));
        check("  mail " + type + " to " + recipient + ": " + what, ok, ok ? (count == 0 ? "none, as expected"
                : "sent: " + found.get(0).path("subject").asString()) : found.size() + " found: " + found);
        return found;
    }

    /** The text of the messages with this subject in the recipient's mailbox, read over IMAP as a mail client does. */
    private java.util.List<String> imapTexts(String email, String subject) throws Exception {
        java.util.Properties props = new java.util.Properties();
        props.put("mail.imap.connectiontimeout", "5000");
        props.put("mail.imap.timeout", "10000");
        jakarta.mail.Store store = jakarta.mail.Session.getInstance(props).getStore("imap");
        // the local mail server keeps each recipient's mailbox with the address as login and password
        store.connect(config.host(), config.imapPort(), email, email);
        try {
            jakarta.mail.Folder inbox = store.getFolder("INBOX");
            inbox.open(jakarta.mail.Folder.READ_ONLY);
            java.util.List<String> texts = new java.util.ArrayList<>();
            for (jakarta.mail.Message m : inbox.getMessages()) {
                if (subject.equals(m.getSubject())) {
                    texts.add(text(m));
                }
            }
            inbox.close(false);
            return texts;
        } finally {
            store.close();
        }
    }

    private static String text(jakarta.mail.Part part) throws Exception {
        if (part.isMimeType("text/plain")) {
            return String.valueOf(part.getContent());
        }
        if (part.getContent() instanceof jakarta.mail.Multipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                String t = text(mp.getBodyPart(i));
                if (!t.isEmpty()) {
                    return t;
                }
            }
        }
        return "";
    }

    static final java.util.List<String> DEMO_ORGANIZATIONS = java.util.List.of("org-emqx-acme", "org-zilliz-search",
            "org-zilliz-lab", "ws-guance-cn1", "ws-guance-cn4");

    /** So that the stories can be played again: an operator releases what an earlier run left bound. */
    private void resetDemoOrganizations() throws Exception {
        for (String org : DEMO_ORGANIZATIONS) {
            String body = getApi(gw("/api/bindings/organizations/" + enc(org))).body();
            Matcher m = Pattern.compile("\"binding\":\\{\"bindingId\":\\d+,\"subscriptionId\":\"([^\"]+)\"").matcher(body);
            if (m.find()) {
                http.send(HttpRequest.newBuilder(URI.create(gw("/api/bindings/subscriptions/" + enc(m.group(1))
                                + "/organizations/" + enc(org)))).header("Authorization", "Bearer " + operatorToken)
                        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
                step("earlier demo run: operator unbinds " + m.group(1) + " from", org);
            }
        }
    }

    /** What the audit log says was last decided for the subscription. */
    private void lastDecision(String subscriptionId, String organizationId) throws Exception {
        String body = getApi(gw("/api/bindings/audit?subscriptionId=" + enc(subscriptionId) + "&organizationId="
                + enc(organizationId) + "&limit=1")).body();
        step("  audit: " + field(body, "actor") + " " + field(body, "action") + " " + field(body, "outcome"),
                String.valueOf(field(body, "detail")));
    }

    /** Posts usage as the vendor's platform does (CloudEvents, API key), then reports the hour and shows it. */
    private void meter(String emqx, String emqxOrg, String zilliz, String zillizOrg) throws Exception {
        System.out.println("Metering (in each listing's units: EMQX ¥0.01 a unit, Zilliz ¥0.001)");
        java.time.Instant now = java.time.Instant.now();
        String run = Long.toString(System.currentTimeMillis(), 36);
        String batch = "[" + String.join(",",
                usageEvent(run + "-1", now, emqxOrg, "deployment_hours", "2.5"),
                usageEvent(run + "-2", now, emqxOrg, "traffic_gb", "1.25"),
                usageEvent(run + "-3", now, zillizOrg, "cu_hours", "0.4"),
                usageEvent(run + "-4", now, zillizOrg, "storage_gb_hours", "3"),
                usageEvent(run + "-5", now, zillizOrg, "cu_hours", "-1")) + "]";
        for (int i = 0; i < 2; i++) { // the second post is a producer's retry: nothing counts twice
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw("/api/usage")))
                    .header("Content-Type", "application/cloudevents-batch+json").header("X-Api-Key", "local-usage-key")
                    .POST(HttpRequest.BodyPublishers.ofString(batch)).build(), HttpResponse.BodyHandlers.ofString());
            check(i == 0 ? "POST /api/usage: 5 events, one with a negative quantity" : "  the same batch again (a retry)",
                    r.statusCode() == 202 && r.body().contains("\"accepted\":4") && r.body().contains("bad_quantity"),
                    r.statusCode() + " " + r.body());
        }
        java.time.Instant through = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(Duration.ofHours(1));
        for (String[] pair : new String[][] {{emqx, emqxOrg, "traffic_gb"}, {zilliz, zillizOrg, "storage_gb_hours"}}) {
            waitFor(() -> getApi(gw("/api/billing/usage/summary?subject=" + enc("org:" + pair[1]))).body()
                    .contains(pair[2]));
            HttpResponse<String> closed = http.send(HttpRequest.newBuilder(URI.create(gw("/api/billing/hours/close?through="
                    + through + "&subscriptionId=" + enc(pair[0])))).header("Authorization", "Bearer " + operatorToken)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            check("operator closes this hour early for " + pair[0] + " (the local stack allows it)",
                    closed.statusCode() == 200, closed.statusCode() + " " + closed.body());
        }
        expectBilling(emqxOrg, "EMQX: 2.5 deployment-hours × 150 + 1.25 GB × 80 = 375 + 100 units of ¥0.01 = ¥3.75 + "
                + "¥1.00, accepted by Alibaba", "\"units\":375,\"unitValue\":\"0.01\",\"yuan\":\"3.75\",\"state\":\"ACCEPTED\"",
                "\"units\":100,\"unitValue\":\"0.01\",\"yuan\":\"1.00\",\"state\":\"ACCEPTED\"");
        expectBilling(zillizOrg, "Zilliz: 0.4 CU-hours × 1250 = 500 units of ¥0.001 = ¥0.50 accepted; 3 GB-hours × 1 = 3 "
                + "units (¥0.003, under a fen) carried", "\"units\":500,\"unitValue\":\"0.001\",\"yuan\":\"0.50\",\"state\":\"ACCEPTED\"");
        String billed = get(sim("/sim/aliyun/metering")).body();
        check("the simulated Alibaba billed ¥3.75 + ¥1.00 (EMQX) and ¥0.50 (Zilliz)",
                billed.contains("\"fee\":3.75") && billed.contains("\"fee\":1.00") && billed.contains("\"fee\":0.50"),
                "as expected");
    }

    private void check(String what, boolean ok, String outcome) {
        if (!ok) {
            failures++;
        }
        step(what, ok ? outcome : "UNEXPECTED " + outcome);
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition c) throws Exception {
        waitFor(Duration.ofSeconds(30), c);
    }

    private static void waitFor(Duration atMost, Condition c) throws Exception {
        long until = System.nanoTime() + atMost.toNanos();
        while (!c.holds() && System.nanoTime() < until) {
            Thread.sleep(300);
        }
    }

    private static String usageEvent(String id, java.time.Instant at, String org, String dimension, String quantity) {
        return "{\"specversion\":\"1.0\",\"type\":\"io.marketbill.usage.recorded.v1\",\"source\":\"//demo/platform\","
                + "\"id\":\"" + id + "\",\"time\":\"" + at + "\",\"data\":{\"organizationId\":\"" + org
                + "\",\"dimension\":\"" + dimension + "\",\"quantity\":\"" + quantity + "\"}}";
    }

    /** Waits until the organization's billing overview (through the gateway) shows what is expected. */
    private void expectBilling(String organizationId, String what, String... fragments) throws Exception {
        String url = gw("/api/billing/organizations/" + enc(organizationId) + "/overview");
        String[] body = {""};
        waitFor(() -> {
            body[0] = getApi(url).body();
            return java.util.Arrays.stream(fragments).allMatch(body[0]::contains);
        });
        check("  " + organizationId + " billing overview", java.util.Arrays.stream(fragments).allMatch(body[0]::contains),
                java.util.Arrays.stream(fragments).allMatch(body[0]::contains) ? what : body[0]);
    }

    static final String EMQX = "cmgj00069406";
    static final String ZILLIZ = "cmgj00063418";
    static final String GUANCE = "cmgj00053362";

    /** The EMQX buyer opens the service again with the same account and binds it to the same organization (R16). */
    private String emqxSubscribesAgain() throws Exception {
        String again = aliyunBuy(EMQX, "1880000000000101");
        expectState("aliyun:" + again, "ACTIVE");
        bindWithApi("u-alice", "{\"organizationId\":\"org-emqx-acme\",\"ticket\":\"" + ticketFor(again) + "\"}",
                "bound");
        lastDecision("aliyun:" + again, "org-emqx-acme");
        return again;
    }

    void run() throws Exception {
        operatorToken = DevLoginTokens.fetch(config, OPERATOR, "operator");
        System.out.println("Signed in at the development login as " + OPERATOR + " (operator) to read subscriptions");
        Duration switchGrace = timing("SWITCH_GRACE");
        Duration deletionGrace = timing("DELETION_GRACE");
        Duration reminder = timing("DELETION_REMINDER");
        // the close actions (stop, deletion, freeze) are played only when the stack runs with short timings
        boolean closeActions = switchGrace.compareTo(Duration.ofMinutes(1)) <= 0
                && deletionGrace.compareTo(Duration.ofMinutes(2)) <= 0;
        System.out.println("Close timings: switch grace " + switchGrace.toSeconds() + " s, deletion "
                + deletionGrace.toSeconds() + " s, reminder " + reminder.toSeconds() + " s before it" + (closeActions
                ? "" : " (too long to wait for: start the stack with SWITCH_GRACE=20s DELETION_GRACE=40s "
                + "DELETION_REMINDER=25s to see the close actions)"));
        long actionSeconds = switchGrace.toSeconds() + 30;
        resetDemoOrganizations();

        System.out.println("EMQX Platform on Alibaba Cloud Marketplace (seed 000): one Alibaba account <-> one EMQX account");
        String emqx = aliyunBuy(EMQX, "1880000000000101");
        expectState("aliyun:" + emqx, "ACTIVE");
        frontEnd(emqx, "not bound yet", 200, "how to bind: 免登 from the purchased services", "免登", "已购买的服务");
        bindInBrowser(emqx, "u-bob", "org-emqx-acme", "insufficient_permission");
        bindInBrowser(emqx, "u-alice", "org-emqx-acme", "bound");
        frontEnd(emqx, "bound", 302, "straight to the console (R9)", "https://cloud.emqx.com/console/");
        String tampered = frontEndUrl(emqx).replaceAll("sig=.", "sig=" + (frontEndUrl(emqx).contains("sig=A") ? "B" : "A"));
        HttpResponse<String> refused = browser().send(HttpRequest.newBuilder(URI.create(tampered))
                .header("Accept-Language", "zh-CN").build(), HttpResponse.BodyHandlers.ofString());
        check("  前台地址 with its signature changed", refused.statusCode() == 403 && refused.body().contains("免登")
                && !refused.body().contains(emqx), refused.statusCode() == 403 ? "403: not the gateway's link, go to "
                + "免登; nothing said about the instance" : "HTTP " + refused.statusCode());
        expectOrganization("org-emqx-acme", "pays through the marketplace, account 1880000000000101",
                "\"state\":\"MARKETPLACE\"", "\"marketplaceAccountId\":\"1880000000000101\"");
        String other = aliyunBuy(EMQX, "1880000000000102");
        expectState("aliyun:" + other, "ACTIVE");
        bindWithApi("u-alice", "{\"organizationId\":\"org-emqx-acme\",\"ticket\":\"" + ticketFor(other) + "\"}",
                "already_bound");
        java.time.Instant emqxClosed = java.time.Instant.now();
        aliyun(emqx, "release", "{\"isRefund\":false}");
        expectState("aliyun:" + emqx, "CLOSED");
        expectOrganization("org-emqx-acme", "unbound; deployments stop when the switch grace period ends",
                "\"binding\":null", "\"state\":\"NONE\"");
        lastDecision("aliyun:" + emqx, "org-emqx-acme");
        expectMails("alice@acme.example", "CHANNEL_ENDED", emqxClosed, 1, 30, "the link ended, and when the "
                + "deployments stop unless a subscription is bound before");
        frontEnd(emqx, "closed", 200, "the subscription is closed: subscribe again", "已关闭");
        String emqxAgain = null;
        if (!closeActions) {
            System.out.println("  re-subscribe with the same account within the switch grace period (R16)");
            emqxAgain = emqxSubscribesAgain();
        } else {
            System.out.println("  (the switch grace period runs; Zilliz meanwhile)");
        }

        System.out.println("Zilliz Cloud on Alibaba Cloud Marketplace (seed 001): arrears, switch A -> B, re-subscribe");
        String a = aliyunBuy(ZILLIZ, "1880000000000201");
        expectState("aliyun:" + a, "ACTIVE");
        bindInBrowser(a, "u-erin", "org-zilliz-search", "no_organization");
        bindInBrowser(a, "u-carol", "org-zilliz-search", "bound");
        aliyun(a, "expire", null);
        expectState("aliyun:" + a, "FROZEN");
        expectOrganization("org-zilliz-search", "frozen (R13)", "\"frozen\":true", "\"state\":\"FROZEN\"");
        frontEnd(a, "frozen", 200, "frozen: renew or top up in the marketplace console", "已冻结");
        aliyun(a, "renew", null);
        expectState("aliyun:" + a, "ACTIVE");
        expectOrganization("org-zilliz-search", "unfrozen", "\"frozen\":false", "\"state\":\"MARKETPLACE\"");
        System.out.println("  switch the paying account from A to B within the grace period (R15)");
        java.time.Instant zillizSwitched = java.time.Instant.now();
        aliyun(a, "release", null);
        expectState("aliyun:" + a, "CLOSED");
        String b = aliyunBuy(ZILLIZ, "1880000000000202");
        expectState("aliyun:" + b, "ACTIVE");
        bindWithApi("u-carol", "{\"organizationId\":\"org-zilliz-search\",\"ticket\":\"" + ticketFor(b) + "\"}",
                "bound");
        expectOrganization("org-zilliz-search", "pays with account B, nothing frozen or stopped",
                "\"marketplaceAccountId\":\"1880000000000202\"", "\"state\":\"MARKETPLACE\"", "\"previousSubscriptionId\":\"aliyun:" + a + "\"", "\"frozen\":false");
        lastDecision("aliyun:" + b, "org-zilliz-search");
        System.out.println("  account A subscribes again, for the other organization (R16)");
        String again = aliyunBuy(ZILLIZ, "1880000000000201");
        expectState("aliyun:" + again, "ACTIVE");
        bindWithApi("u-carol", "{\"organizationId\":\"org-zilliz-search\",\"ticket\":\"" + ticketFor(again) + "\"}",
                "already_bound");
        bindWithApi("u-carol", "{\"organizationId\":\"org-zilliz-lab\",\"ticket\":\"" + ticketFor(again) + "\"}",
                "bound");

        System.out.println("  a buyer without a vendor account registers first (R5)");
        String signUp = aliyunBuy(ZILLIZ, "1880000000000203");
        expectState("aliyun:" + signUp, "ACTIVE");
        signUpThenBind(signUp);

        System.out.println("Zilliz Cloud on AWS Marketplace China (seed 003)");
        String customer = post(sim("/sim/aws/customers"), "{\"productCode\":\"zilliz-cloud-aws-cn\","
                + "\"accountId\":\"123456789012\"}").body();
        String token = field(customer, "token");
        String license = field(customer, "licenseArn");
        step("AWS: buyer subscribes, clicks \"Set up your account\"", "token issued");
        HttpResponse<String> reg = post(sim("/sim/aws/customers/" + token + "/register"), null);
        step("AWS: registration at the gateway", reg.body().contains("\"status\":302") ? "302 to the binding page"
                : reg.body());
        String awsId = "aws:123456789012:" + license.substring(license.lastIndexOf(':') + 1);
        expectState(awsId, "ACTIVE");
        String awsTicket = java.net.URLDecoder.decode(String.valueOf(attr(reg.body(), "ticket=([^&\"]+)")),
                StandardCharsets.UTF_8);
        bindWithApi("u-carol", "{\"organizationId\":\"org-zilliz-lab\",\"ticket\":\"" + awsTicket + "\"}",
                "already_bound");
        unbind("u-carol", "aliyun:" + again, "org-zilliz-lab");
        bindWithApi("u-carol", "{\"organizationId\":\"org-zilliz-lab\",\"ticket\":\"" + awsTicket + "\"}",
                "bound");
        HttpResponse<String> sub = post(sim("/sim/aws/sns/subscribe-gateway"), null);
        step("AWS: SNS subscription of the gateway", sub.body().contains("\"confirmed\":true") ? "confirmed" : sub.body());
        step("AWS: SNS subscribe-success (signed by the simulator's CA)", status(post(sim("/sim/aws/customers/" + token
                + "/notify?action=subscribe-success"), null).body()));
        java.time.Instant awsClosed = java.time.Instant.now();
        step("AWS: SNS unsubscribe-success", status(post(sim("/sim/aws/customers/" + token
                + "/notify?action=unsubscribe-success"), null).body()));
        expectState(awsId, "CLOSED");
        expectOrganization("org-zilliz-lab", "unbound; frozen unless another subscription is bound within the grace "
                + "period", "\"binding\":null", "\"state\":\"NONE\"");
        if (closeActions) {
            System.out.println("  nobody subscribes again: the switch grace period ends (R13)");
            expectOrganizationWithin(actionSeconds, "org-zilliz-lab", "frozen after the close: no subscription was "
                    + "bound within the grace period", "\"frozen\":true", "\"state\":\"FROZEN\"");
            expectMails("carol@vector.example", "ORGANIZATION_FROZEN", awsClosed, 1, 30, "frozen, in words");
            waitFor(Duration.ofSeconds(actionSeconds), () -> java.time.Instant.now().isAfter(zillizSwitched.plus(
                    switchGrace).plusSeconds(10)));
            expectOrganization("org-zilliz-search", "the grace period of A's close is over: switched to B in time, "
                    + "nothing frozen", "\"frozen\":false", "\"state\":\"MARKETPLACE\"",
                    "\"marketplaceAccountId\":\"1880000000000202\"");
            expectMails("carol@vector.example", "ORGANIZATION_FROZEN", zillizSwitched, 1, 5,
                    "only Embedding Lab's, none for the switched team");

            System.out.println("EMQX again (seed 000): the close's grace period is over (R12)");
            expectOrganizationWithin(actionSeconds, "org-emqx-acme", "deployments stopped, deletion scheduled",
                    "\"state\":\"DEPLOYMENTS_STOPPED\"", "\"deploymentsStopped\":true");
            expectMails("alice@acme.example", "DEPLOYMENTS_STOPPING", emqxClosed, 1, 30, "deployments stopped, "
                    + "trial ones run on");
            expectMails("alice@acme.example", "DEPLOYMENTS_DELETION_SCHEDULED", emqxClosed, 1, 30,
                    "back up before the deletion time");
            expectMails("alice@acme.example", "DEPLOYMENTS_DELETION_REMINDER", emqxClosed, 1,
                    deletionGrace.toSeconds() + 30, "the reminder, " + reminder.toSeconds() + " s before the deletion");
            System.out.println("  the buyer subscribes again before the deletion time (R12, R16)");
            emqxAgain = emqxSubscribesAgain();
            expectOrganization("org-emqx-acme", "pays through the marketplace again, deployments kept",
                    "\"state\":\"MARKETPLACE\"", "\"deploymentsStopped\":false", "\"deploymentsDeleteAt\":null");
            expectMails("alice@acme.example", "DEPLOYMENTS_DELETION_CANCELLED", emqxClosed, 1, 30,
                    "the deletion is off, the deployments are kept");
        }

        System.out.println("Guance on Alibaba Cloud Marketplace (seed 004): one account pays for many workspaces");
        String guance = aliyunBuy(GUANCE, "1880000000000301");
        expectState("aliyun:" + guance, "ACTIVE");
        frontEnd(guance, "not bound yet", 200, "how to bind, with the billing-center form",
                "/binding/billing-center?instance=");
        bindWithApi("u-dave", "{\"organizationId\":\"ws-guance-cn1\",\"marketplaceAccountId\":\"1880000000000399\","
                + "\"instanceId\":\"" + guance + "\"}", "account_mismatch");
        bindWithApi("u-dave", "{\"organizationId\":\"ws-guance-cn1\",\"marketplaceAccountId\":\"1880000000000301\","
                + "\"instanceId\":\"" + guance + "\"}", "bound");
        bindWithApi("u-dave", "{\"organizationId\":\"ws-guance-cn4\",\"marketplaceAccountId\":\"1880000000000301\","
                + "\"instanceId\":\"" + guance + "\"}", "bound");
        expectBilling("ws-guance-cn1", "billing-service's overview: the marketplace pays", "\"state\":\"MARKETPLACE\"");
        java.time.Instant guanceClosed = java.time.Instant.now();
        aliyun(guance, "release", null);
        expectState("aliyun:" + guance, "CLOSED");
        // Guance has no switch grace: every workspace is back on Guance's own billing with the close itself (R14)
        expectOrganization("ws-guance-cn1", "unbound, on Guance's own billing at once", "\"binding\":null",
                "\"state\":\"VENDOR_BILLING\"");
        expectOrganization("ws-guance-cn4", "unbound, on Guance's own billing at once", "\"binding\":null",
                "\"state\":\"VENDOR_BILLING\"");
        lastDecision("aliyun:" + guance, "ws-guance-cn4");
        expectBilling("ws-guance-cn1", "billing-service's overview agrees at once: Guance's own billing",
                "\"state\":\"VENDOR_BILLING\"");
        java.util.List<tools.jackson.databind.JsonNode> fellBack = expectMails("dave@ops.example",
                "BACK_TO_VENDOR_BILLING", guanceClosed, 1, 30, "one mail for both workspaces (R14)");
        expectMails("dave@ops.example", "CHANNEL_ENDED", guanceClosed, 0, 3, "no second mail for the same close");
        if (fellBack.size() == 1) {
            String subject = fellBack.get(0).path("subject").asString();
            java.util.List<String> texts = new java.util.ArrayList<>();
            waitFor(() -> {
                texts.clear();
                texts.addAll(imapTexts("dave@ops.example", subject));
                return !texts.isEmpty();
            });
            String last = texts.isEmpty() ? "" : texts.get(texts.size() - 1);
            check("  dave@ops.example's mailbox over IMAP: \"" + subject + "\"", last.contains("Ops workspace (Guance, "
                    + "cn1)") && last.contains("Ops workspace (Guance, cn4)"), "names both workspaces");
        }

        meter("aliyun:" + emqxAgain, "org-emqx-acme", "aliyun:" + b, "org-zilliz-search");

        System.out.println(failures == 0 ? "demo finished: every step as expected" : "demo finished with " + failures
                + " unexpected step(s)");
        if (failures > 0) {
            throw new IllegalStateException(failures + " demo step(s) failed");
        }
    }
}

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
 * and prints what happened at each step. Binding and usage come with their issues; the demo says so where
 * those steps belong.
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

    private void freeLogin(String instanceId) throws Exception {
        String url = field(get(sim("/sim/aliyun/instances/" + instanceId + "/free-login")).body(), "url");
        HttpResponse<String> r = get(url);
        String location = r.headers().firstValue("Location").orElse("");
        step("Alibaba: buyer clicks 免登 (free login)", r.statusCode() + " -> "
                + (location.length() > 60 ? location.substring(0, 60) + "..." : location));
        step("  binding page", "(binding issue: binding-service serves it)");
    }

    void run() throws Exception {
        operatorToken = DevLoginTokens.fetch(config, OPERATOR, "operator");
        System.out.println("Signed in at the development login as " + OPERATOR + " (operator) to read subscriptions");
        System.out.println("EMQX Platform on Alibaba Cloud Marketplace (seed 000)");
        String emqx = aliyunBuy("cmgj00069406", "1880000000000101");
        expectState("aliyun:" + emqx, "ACTIVE");
        freeLogin(emqx);
        step("  use: deployments metered", "(billing issue)");
        aliyun(emqx, "release", "{\"isRefund\":false}");
        expectState("aliyun:" + emqx, "CLOSED");

        System.out.println("Zilliz Cloud on Alibaba Cloud Marketplace (seed 001): arrears, switch A -> B, re-subscribe");
        String a = aliyunBuy("cmgj00063418", "1880000000000201");
        expectState("aliyun:" + a, "ACTIVE");
        aliyun(a, "expire", null);
        expectState("aliyun:" + a, "FROZEN");
        aliyun(a, "renew", null);
        expectState("aliyun:" + a, "ACTIVE");
        aliyun(a, "release", null);
        expectState("aliyun:" + a, "CLOSED");
        String b = aliyunBuy("cmgj00063418", "1880000000000202");
        expectState("aliyun:" + b, "ACTIVE");
        step("  bind B to the same organization within 1 hour", "(binding issue)");
        String again = aliyunBuy("cmgj00063418", "1880000000000201");
        expectState("aliyun:" + again, "ACTIVE");

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
        HttpResponse<String> sub = post(sim("/sim/aws/sns/subscribe-gateway"), null);
        step("AWS: SNS subscription of the gateway", sub.body().contains("\"confirmed\":true") ? "confirmed" : sub.body());
        step("AWS: SNS subscribe-success (signed by the simulator's CA)", status(post(sim("/sim/aws/customers/" + token
                + "/notify?action=subscribe-success"), null).body()));
        step("AWS: SNS unsubscribe-success", status(post(sim("/sim/aws/customers/" + token
                + "/notify?action=unsubscribe-success"), null).body()));
        expectState(awsId, "CLOSED");

        System.out.println("Guance on Alibaba Cloud Marketplace (seed 004)");
        String guance = aliyunBuy("cmgj00053362", "1880000000000301");
        expectState("aliyun:" + guance, "ACTIVE");
        step("  bind workspaces with account ID + instance ID", "(binding issue)");
        aliyun(guance, "release", null);
        expectState("aliyun:" + guance, "CLOSED");
        step("  fall back to Guance's own billing, email the user", "(binding and notification issues)");

        System.out.println(failures == 0 ? "demo finished: every step as expected" : "demo finished with " + failures
                + " unexpected step(s)");
        if (failures > 0) {
            throw new IllegalStateException(failures + " demo step(s) failed");
        }
    }
}

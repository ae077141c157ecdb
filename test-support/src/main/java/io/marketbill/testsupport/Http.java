package io.marketbill.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plain HTTP calls to a service under test on 127.0.0.1. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    public static HttpResponse<String> get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build());
    }

    public static HttpResponse<String> post(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /**
     * Any call: {@code headers} are name, value pairs; a non-null body is sent as is (set its Content-Type in the
     * headers).
     */
    public static HttpResponse<String> request(int port, String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    /** A GET with an operator's token (every service's API needs a token; operators may call all of it). */
    public static HttpResponse<String> getAsOperator(int port, String path) {
        return request(port, "GET", path, null, "Authorization", OPERATOR);
    }

    /** A POST without a body, with an operator's token. */
    public static HttpResponse<String> postAsOperator(int port, String path) {
        return request(port, "POST", path, null, "Authorization", OPERATOR);
    }

    /** {@link #request} with an operator's token, unless {@code headers} bring an Authorization of their own. */
    public static HttpResponse<String> requestAsOperator(int port, String method, String path, String body,
                                                         String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("Authorization")) {
                return request(port, method, path, body, headers);
            }
        }
        String[] with = java.util.Arrays.copyOf(headers, headers.length + 2);
        with[headers.length] = "Authorization";
        with[headers.length + 1] = OPERATOR;
        return request(port, method, path, body, with);
    }

    /** Long-lived enough for any test run; the operator of the module tests. */
    private static final String OPERATOR = TestTokens.bearer(TestTokens.token("u-test-operator",
            java.util.List.of("operator"), Duration.ofHours(6)));

    /** A browser's form post (its own client: cookies, redirects as it was built with). */
    public static HttpResponse<String> postForm(HttpClient browser, int port, String path, String form)
            throws IOException, InterruptedException {
        return browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first group of {@code regex} in a page, which must be there. */
    public static String find(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError(regex + " not in " + text);
        }
        return m.group(1);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.marketbill.localstack;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Tokens from the running stack's identity provider (the simulator's {@code /dev-login/token}), for
 * {@code stack token}, the demo and the system tests: the way a script of the vendor's gets one.
 */
public final class DevLoginTokens {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private DevLoginTokens() {
    }

    /** A token for {@code user}, with {@code role} (e.g. {@code operator}) unless null. */
    public static String fetch(StackConfig config, String user, String role) throws IOException, InterruptedException {
        String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                + (role == null ? "" : "&role=" + URLEncoder.encode(role, StandardCharsets.UTF_8));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(config.identityIssuer() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the development login refused: " + r.statusCode() + " " + r.body().strip());
        }
        return r.body().strip();
    }

    /** {@code stack token --user NAME [--role ROLE]}: prints the token; 1 with a message if that fails. */
    static int command(StackConfig config, String[] args) {
        String user = null;
        String role = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (args[i].equals("--user") && value != null) {
                user = value;
                i++;
            } else if (args[i].equals("--role") && value != null) {
                role = value;
                i++;
            } else {
                user = null;
                break;
            }
        }
        if (user == null) {
            System.err.println("usage: deploy/local/stack token --user NAME [--role operator]");
            return 2;
        }
        try {
            System.out.println(fetch(config, user, role));
            return 0;
        } catch (ConnectException e) {
            System.err.println("the stack is not running: nothing answers at " + config.identityIssuer()
                    + " (start it with deploy/local/stack start)");
        } catch (IOException | IllegalStateException e) {
            System.err.println("no token: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 1;
    }
}

package io.marketbill.localstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Port checks: fail early, naming the port and the variable that moves it. */
final class Ports {

    private Ports() {
    }

    static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Throws with one line per taken port, e.g. "port 8080 (GATEWAY_PORT) is already in use". */
    static void requireFree(String host, Map<String, Integer> ports) {
        List<String> taken = new ArrayList<>();
        ports.forEach((name, port) -> {
            if (!isFree(host, port)) {
                taken.add("port " + port + " (" + name + ") is already in use on " + host
                        + "; stop what holds it or set " + name + " to another port");
            }
        });
        if (!taken.isEmpty()) {
            throw new IllegalStateException(String.join("\n", taken));
        }
    }
}

package io.marketbill.gateway.protection;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a call comes from, for the rate limits: the peer's address, unless the peer is one of the vendor's own proxies
 * (the ingress, a load balancer: {@code marketbill.rate-limit.trusted-proxies}, CIDRs). Then {@code X-Forwarded-For}
 * is read from the right, skipping the trusted proxies' own entries, and the first address no trusted proxy wrote is
 * the caller: everything left of it the caller may have written itself. Without trusted proxies the header is never
 * read, so a caller cannot pick a fresh bucket per call by sending a header (security review, finding 10). No DNS:
 * only address literals count; an entry that is not one stops the walk at the last trusted hop.
 */
final class ClientAddress {

    /** An IPv4 or IPv6 network. */
    record Network(byte[] address, int prefix) {

        static Network parse(String cidr) {
            String s = cidr.strip();
            int slash = s.indexOf('/');
            InetAddress a = literal(slash < 0 ? s : s.substring(0, slash));
            if (a == null) {
                throw new IllegalArgumentException("marketbill.rate-limit.trusted-proxies: \"" + s
                        + "\" is not an address or a CIDR network");
            }
            int bits = a.getAddress().length * 8;
            int prefix;
            try {
                prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("marketbill.rate-limit.trusted-proxies: \"" + s
                        + "\" has a prefix outside 0-" + bits);
            }
            return new Network(a.getAddress(), prefix);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (b[full] & mask) == (address[full] & mask);
        }
    }

    private final List<Network> trusted;

    ClientAddress(List<String> trustedProxies) {
        List<Network> networks = new ArrayList<>();
        for (String cidr : trustedProxies) {
            if (!cidr.isBlank()) {
                networks.add(Network.parse(cidr));
            }
        }
        this.trusted = List.copyOf(networks);
    }

    /** The caller's address, from the peer's and the {@code X-Forwarded-For} headers it sent (in order). */
    String of(InetAddress peer, List<String> forwardedFor) {
        if (peer == null) {
            return "unknown";
        }
        InetAddress caller = peer;
        if (trusted(peer) && forwardedFor != null) {
            List<String> hops = new ArrayList<>();
            for (String header : forwardedFor) {
                for (String hop : header.split(",")) {
                    hops.add(hop.strip());
                }
            }
            for (int i = hops.size() - 1; i >= 0; i--) {
                InetAddress hop = literal(hops.get(i));
                if (hop == null) {
                    break;
                }
                caller = hop;
                if (!trusted(hop)) {
                    break;
                }
            }
        }
        return caller.getHostAddress();
    }

    private boolean trusted(InetAddress a) {
        return trusted.stream().anyMatch(n -> n.contains(a));
    }

    private static InetAddress literal(String s) {
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (t.isEmpty()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

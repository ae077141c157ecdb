package io.marketbill.security;

import java.util.List;

/**
 * A service's own part of the API rules; everything else is the same everywhere ({@link ServiceSecurityAutoConfiguration}).
 * Under {@code /api/**}: {@code userApis} take any signed-in user (the service checks the organization itself),
 * {@code serviceApis} another marketbill service's own token (role {@code service}) or an operator, and every other
 * API an operator only. {@code publicPaths} are open to anyone (each checks its callers itself: a signed link, a cookie of its
 * own); health probes are always open; anything else is refused.
 */
public record ApiAccess(List<String> publicPaths, List<String> userApis, List<String> serviceApis) {

    public ApiAccess {
        publicPaths = List.copyOf(publicPaths);
        userApis = List.copyOf(userApis);
        serviceApis = List.copyOf(serviceApis);
    }

    /** Every API for operators, nothing public. */
    public static ApiAccess operatorsOnly() {
        return new ApiAccess(List.of(), List.of(), List.of());
    }
}

package io.marketbill.testsupport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpEntity;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a service's OpenAPI document against the service itself: every HTTP endpoint its handler mappings serve
 * (method and path pattern, as Spring resolved them) is an operation of the document, and the document describes
 * nothing the service does not serve. So the published description cannot drift from the code.
 */
public final class OpenApiCoverage {

    /** One handler mapping: an HTTP method and a path pattern such as {@code /api/bindings/{id}}. */
    public record Endpoint(String method, String path) implements Comparable<Endpoint> {
        public Endpoint {
            method = method.toLowerCase(Locale.ROOT);
        }

        @Override
        public int compareTo(Endpoint o) {
            return (path + " " + method).compareTo(o.path + " " + o.method);
        }

        @Override
        public String toString() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    private OpenApiCoverage() {
    }

    /**
     * What a servlet service serves as API: the handler methods of its own ({@code io.marketbill}) controllers that
     * answer with a body (REST controllers, {@code @ResponseBody}, {@code ResponseEntity}), not the server-rendered
     * pages, the framework's error controller or springdoc's own endpoint.
     */
    public static Set<Endpoint> served(RequestMappingHandlerMapping mapping) {
        Set<Endpoint> out = new TreeSet<>();
        mapping.getHandlerMethods().forEach((info, handler) -> {
            if (!handler.getBeanType().getPackageName().startsWith("io.marketbill.") || !answersWithABody(handler)) {
                return;
            }
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    out.add(new Endpoint(m.name(), pattern));
                }
            }
        });
        return out;
    }

    private static boolean answersWithABody(HandlerMethod handler) {
        return AnnotatedElementUtils.hasAnnotation(handler.getBeanType(), ResponseBody.class)
                || handler.hasMethodAnnotation(ResponseBody.class)
                || HttpEntity.class.isAssignableFrom(handler.getMethod().getReturnType());
    }

    /**
     * Fetches the servlet service's document from {@code /v3/api-docs} on {@code port} and fails, listing every
     * difference, unless it describes exactly what the service serves; returns what it serves.
     */
    public static Set<Endpoint> assertDescribesEverything(int port, RequestMappingHandlerMapping mapping) {
        var docs = Http.getAsOperator(port, "/v3/api-docs"); // for operators, like every API
        if (docs.statusCode() != 200) {
            throw new AssertionError("GET /v3/api-docs answered " + docs.statusCode() + ": " + docs.body());
        }
        Set<Endpoint> served = served(mapping);
        List<String> problems = differences(docs.body(), served);
        if (!problems.isEmpty()) {
            throw new AssertionError("the OpenAPI document and the service differ:\n  " + String.join("\n  ", problems));
        }
        return served;
    }

    /** The operations of an OpenAPI 3 document. */
    public static Set<Endpoint> operations(String openApiJson) {
        JsonNode root = JsonMapper.builder().build().readTree(openApiJson);
        if (!root.path("openapi").asString("").startsWith("3.")) {
            throw new AssertionError("not an OpenAPI 3 document: " + root.path("openapi"));
        }
        Set<Endpoint> ops = new TreeSet<>();
        for (var path : root.path("paths").properties()) {
            for (var op : path.getValue().properties()) {
                if (METHODS.contains(op.getKey())) {
                    ops.add(new Endpoint(op.getKey(), path.getKey()));
                }
            }
        }
        return ops;
    }

    /**
     * The differences between what the service serves and what its document says, one line each; empty when they
     * agree. A handler without explicit methods answers every method, and is expected under GET.
     */
    public static List<String> differences(String openApiJson, Collection<Endpoint> served) {
        Set<Endpoint> documented = operations(openApiJson);
        Set<Endpoint> expected = new TreeSet<>(served);
        List<String> problems = new ArrayList<>();
        for (Endpoint e : expected) {
            if (!documented.contains(e)) {
                problems.add("served but not documented: " + e);
            }
        }
        for (Endpoint e : documented) {
            if (!expected.contains(e)) {
                problems.add("documented but not served: " + e);
            }
        }
        return problems;
    }
}

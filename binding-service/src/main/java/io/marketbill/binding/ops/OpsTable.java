package io.marketbill.binding.ops;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * One HTML table of the ops console, built from JSON (a service's answer, or one of binding-service's own records
 * converted the same way): a list of objects gives one row per object and one column per field; an object gives a
 * field/value table for its plain fields and a table for each nested list.
 */
record OpsTable(String title, List<String> columns, List<Row> rows, boolean replayable) {

    /** A row; {@code replayPath} is where its replay button posts (dead letters only). */
    record Row(List<String> cells, String replayPath) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Any value as JSON types (maps, lists, strings, numbers, booleans). */
    static Object plain(Object value) {
        return value == null ? null : JSON.convertValue(value, Object.class);
    }

    static Object parse(String body) {
        return body == null || body.isBlank() ? null : JSON.readValue(body, Object.class);
    }

    static List<OpsTable> of(String title, Object json) {
        List<OpsTable> tables = new ArrayList<>();
        add(tables, title, plain(json), null, 0);
        return tables;
    }

    /** A list whose rows get a replay button, posting to {@code replayPath.apply(row)} when it gives one. */
    static OpsTable replayable(String title, Object json, Function<Map<?, ?>, String> replayPath) {
        List<OpsTable> tables = new ArrayList<>();
        Object plain = plain(json);
        add(tables, title, plain instanceof List<?> ? plain : List.of(), replayPath, 0);
        return tables.get(0);
    }

    private static void add(List<OpsTable> tables, String title, Object json, Function<Map<?, ?>, String> replayPath,
                            int depth) {
        if (json instanceof List<?> list) {
            Set<String> columns = new LinkedHashSet<>();
            boolean scalars = false;
            for (Object e : list) {
                if (e instanceof Map<?, ?> m) {
                    m.keySet().forEach(k -> columns.add(String.valueOf(k)));
                } else {
                    scalars = true;
                }
            }
            if (scalars || columns.isEmpty()) {
                columns.clear();
                columns.add("value");
            }
            List<Row> rows = new ArrayList<>();
            for (Object e : list) {
                List<String> cells = new ArrayList<>();
                if (e instanceof Map<?, ?> m && !columns.equals(Set.of("value"))) {
                    columns.forEach(c -> cells.add(text(m.get(c))));
                } else {
                    cells.add(text(e));
                }
                rows.add(new Row(cells, replayPath != null && e instanceof Map<?, ?> m ? replayPath.apply(m) : null));
            }
            tables.add(new OpsTable(title, List.copyOf(columns), rows, replayPath != null));
        } else if (json instanceof Map<?, ?> map) {
            List<Row> fields = new ArrayList<>();
            List<Map.Entry<?, ?>> nested = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                boolean structured = e.getValue() instanceof List<?> || e.getValue() instanceof Map<?, ?>;
                if (structured && depth < 2) {
                    nested.add(e);
                } else {
                    fields.add(new Row(List.of(String.valueOf(e.getKey()), text(e.getValue())), null));
                }
            }
            if (!fields.isEmpty() || nested.isEmpty()) {
                tables.add(new OpsTable(title, List.of("field", "value"), fields, false));
            }
            for (Map.Entry<?, ?> e : nested) {
                add(tables, title + " / " + e.getKey(), e.getValue(), null, depth + 1);
            }
        } else {
            tables.add(new OpsTable(title, List.of("value"), List.of(new Row(List.of(text(json)), null)), false));
        }
    }

    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return JSON.writeValueAsString(value);
    }
}

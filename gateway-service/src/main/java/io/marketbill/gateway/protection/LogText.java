package io.marketbill.gateway.protection;

/**
 * What a caller sent, made safe for a log line: control characters (CR, LF, ESC, ...) become {@code ?}, so that a
 * parameter name or a header value cannot start a forged line (security review, finding 16), and anything long is cut.
 */
public final class LogText {

    static final int MAX = 512;

    private LogText() {
    }

    public static String printable(Object text) {
        if (text == null) {
            return "null";
        }
        String s = text.toString();
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX));
        for (int i = 0; i < s.length() && out.length() < MAX; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return s.length() > MAX ? out + "..." : out.toString();
    }
}

package io.marketbill.binding.page;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;

/**
 * The page's cookies: HttpOnly, SameSite=Lax, path /binding, Secure when the public address is https. The sign-in's
 * pending state and nonce are {@link io.marketbill.binding.security.SignIn}'s (SameSite=None over https).
 */
@Component
class PageCookies {

    private final boolean secure;

    PageCookies(@Value("${marketbill.binding.public-url}") String publicUrl) {
        this.secure = publicUrl.startsWith("https:");
    }

    /** The page is served over https: its cookies are Secure. */
    boolean secure() {
        return secure;
    }

    Optional<String> get(HttpServletRequest request, String name) {
        Cookie[] all = request.getCookies();
        return all == null ? Optional.empty() : Arrays.stream(all).filter(c -> c.getName().equals(name))
                .map(Cookie::getValue).filter(v -> !v.isEmpty()).findFirst();
    }

    void set(HttpServletResponse response, String name, String value, Duration maxAge) {
        response.addHeader("Set-Cookie", ResponseCookie.from(name, value).httpOnly(true).secure(secure)
                .sameSite("Lax").path("/binding").maxAge(maxAge.isNegative() ? Duration.ZERO : maxAge).build()
                .toString());
    }

    void clear(HttpServletResponse response, String name) {
        set(response, name, "", Duration.ZERO);
    }

    /** Remembers the language the user chose ({@code lang}); {@link PageLocale} reads it back. */
    Locale locale(String lang, HttpServletRequest request, HttpServletResponse response) {
        if (PageLocale.SUPPORTED.containsKey(String.valueOf(lang))) {
            set(response, PageLocale.COOKIE, lang, Duration.ofDays(365));
        }
        return PageLocale.resolve(request);
    }
}

package io.marketbill.binding.page;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.LocaleResolver;

/**
 * The user's language, for the page and the API's messages: the {@code lang} parameter, else the remembered choice
 * ({@code mb_lang} cookie), else English when the browser asks for it first, else zh-CN (the marketplace's language).
 */
@Component("localeResolver")
class PageLocale implements LocaleResolver {

    static final String COOKIE = "mb_lang";
    static final Map<String, Locale> SUPPORTED = Map.of("zh-CN", Locale.SIMPLIFIED_CHINESE, "en", Locale.ENGLISH);

    @Override
    public Locale resolveLocale(HttpServletRequest request) {
        return resolve(request);
    }

    static Locale resolve(HttpServletRequest request) {
        String lang = request.getParameter("lang");
        if (lang == null && request.getCookies() != null) {
            lang = Arrays.stream(request.getCookies()).filter(c -> c.getName().equals(COOKIE)).map(Cookie::getValue)
                    .findFirst().orElse(null);
        }
        if (lang != null && SUPPORTED.containsKey(lang)) {
            return SUPPORTED.get(lang);
        }
        String accept = request.getHeader("Accept-Language");
        return accept != null && accept.toLowerCase(Locale.ROOT).startsWith("en") ? Locale.ENGLISH
                : Locale.SIMPLIFIED_CHINESE;
    }

    @Override
    public void setLocale(HttpServletRequest request, HttpServletResponse response, Locale locale) {
        throw new UnsupportedOperationException("the page sets the language with ?lang=");
    }
}

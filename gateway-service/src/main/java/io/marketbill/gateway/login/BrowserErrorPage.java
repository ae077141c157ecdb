package io.marketbill.gateway.login;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.util.HtmlUtils;

/** The HTML answer to a browser flow that cannot go on, in Chinese and English. */
public final class BrowserErrorPage {

    private BrowserErrorPage() {
    }

    public static ResponseEntity<String> of(HttpStatus status, String zh, String en) {
        return ResponseEntity.status(status).contentType(new MediaType(MediaType.TEXT_HTML,
                java.nio.charset.StandardCharsets.UTF_8)).body(html(zh, en));
    }

    /** The page itself (UTF-8 HTML). */
    public static String html(String zh, String en) {
        return """
                <!DOCTYPE html>
                <html lang="zh-CN"><head><meta charset="utf-8"><title>%s</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}
                h1{font-size:1.3em}p.en{color:#555}</style></head>
                <body><h1>%s</h1><p>%s</p><p class="en" lang="en">%s</p>
                <p><a href="https://market.console.aliyun.com/">云市场控制台 / Marketplace console</a></p></body></html>
                """.formatted(HtmlUtils.htmlEscape(en), HtmlUtils.htmlEscape(zh), HtmlUtils.htmlEscape(zh),
                HtmlUtils.htmlEscape(en));
    }
}

package io.marketbill.notification.mail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.templateresolver.FileTemplateResolver;
import org.thymeleaf.templateresolver.ITemplateResolver;

/**
 * Renders a mail from its templates: {@code <type>_<language>.html} and {@code .txt}, first from
 * {@code marketbill.notification.templates-dir} (a vendor's overrides, read from disk, no rebuild), else
 * the built-in ones in {@code classpath:mail/}. The text template's first line is the subject. Every
 * template sees the event's facts (times also as {@code <name>Text}, formatted for the reader; a list of
 * {@code organizationNames} also as {@code organizationNamesText} and {@code organizationCount}), the product's
 * branding ({@code product.name}, {@code product.logoUrl}, {@code product.supportUrl}) and {@code optOutUrl} for
 * optional mail.
 */
@Component
public class MailRenderer {

    /** A rendered mail. */
    public record Rendered(String subject, String text, String html) {
    }

    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    // SpEL, as in Spring views; templates see maps and values only
    private final TemplateEngine html = new org.thymeleaf.spring6.SpringTemplateEngine();
    private final TemplateEngine text = new org.thymeleaf.spring6.SpringTemplateEngine();
    private final Branding branding;

    MailRenderer(MailProperties props, Branding branding) {
        this.branding = branding;
        int order = 1;
        if (props.templatesDir() != null && !props.templatesDir().isBlank()) {
            Path dir = Path.of(props.templatesDir());
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("marketbill.notification.templates-dir " + dir + " is not a folder");
            }
            html.addTemplateResolver(resolver(new FileTemplateResolver(), dir.toAbsolutePath() + "/", ".html",
                    TemplateMode.HTML, order));
            text.addTemplateResolver(resolver(new FileTemplateResolver(), dir.toAbsolutePath() + "/", ".txt",
                    TemplateMode.TEXT, order));
            order++;
        }
        html.addTemplateResolver(resolver(new ClassLoaderTemplateResolver(), "mail/", ".html", TemplateMode.HTML, order));
        text.addTemplateResolver(resolver(new ClassLoaderTemplateResolver(), "mail/", ".txt", TemplateMode.TEXT, order));
    }

    private static ITemplateResolver resolver(org.thymeleaf.templateresolver.AbstractConfigurableTemplateResolver r,
                                              String prefix, String suffix, TemplateMode mode, int order) {
        r.setPrefix(prefix);
        r.setSuffix(suffix);
        r.setTemplateMode(mode);
        r.setCharacterEncoding("UTF-8");
        r.setOrder(order);
        r.setCheckExistence(true); // an override folder need not hold every template
        r.setCacheable(true);
        return r;
    }

    public Rendered render(MailType type, String language, String productCode, Map<String, Object> facts,
                           String optOutUrl) {
        String lang = "en".equalsIgnoreCase(language) ? "en" : "zh-CN";
        Context context = new Context(Locale.forLanguageTag(lang));
        Map<String, Object> vars = new LinkedHashMap<>(facts);
        // times in the reader's terms: Beijing time in Chinese, UTC in English
        for (String key : java.util.List.of("deleteAt", "closeActionAt", "hourStart", "deadline", "occurredAt")) {
            Object at = facts.get(key);
            if (at != null) {
                java.time.Instant instant = java.time.Instant.parse(at.toString());
                vars.put(key + "Text", lang.equals("en")
                        ? TIME.withZone(java.time.ZoneOffset.UTC).format(instant) + " UTC"
                        : TIME.withZone(java.time.ZoneId.of("Asia/Shanghai")).format(instant) + "（北京时间）");
            }
        }
        // several organizations told in one mail (those that fell back to the vendor's billing together), listed
        // as the reader's language lists names
        if (facts.get("organizationNames") instanceof java.util.List<?> names && !names.isEmpty()) {
            vars.put("organizationNamesText", String.join(lang.equals("en") ? ", " : "、",
                    names.stream().map(String::valueOf).toList()));
            vars.put("organizationCount", names.size());
        }
        Object marketplace = facts.get("marketplace");
        vars.put("marketplaceName", "aws".equals(marketplace) ? (lang.equals("en") ? "AWS Marketplace" : "亚马逊云科技 Marketplace")
                : lang.equals("en") ? "Alibaba Cloud Marketplace" : "阿里云云市场");
        Branding.Brand brand = branding.of(productCode);
        Map<String, Object> product = new LinkedHashMap<>();
        product.put("name", brand.name());
        product.put("logoUrl", brand.logoUrl());
        product.put("supportUrl", brand.supportUrl());
        vars.put("product", product);
        vars.put("optOutUrl", type.critical() ? null : optOutUrl);
        vars.put("critical", type.critical());
        context.setVariables(vars);
        String name = type.template() + "_" + lang;
        String plain = text.process(name, context).strip();
        int newline = plain.indexOf('\n');
        String subject = (newline < 0 ? plain : plain.substring(0, newline)).strip();
        String body = newline < 0 ? "" : plain.substring(newline + 1).strip() + "\n";
        return new Rendered(subject, body, html.process(name, context));
    }
}

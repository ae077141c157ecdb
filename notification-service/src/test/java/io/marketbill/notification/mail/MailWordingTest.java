package io.marketbill.notification.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every mail type in both languages, rendered with the sample facts and with every reason and close action an
 * event can carry: no internal code (SUBSCRIPTION_CLOSED, VENDOR_BILLING, ...) reaches a reader, and the close
 * lifecycle's mails say in words what happened and what happens when.
 */
class MailWordingTest {

    /** How an internal code looks: upper-case words joined by underscores. */
    static final Pattern INTERNAL_CODE = Pattern.compile("\\b[A-Z]{2,}(?:_[A-Z]+)+\\b");

    static final List<String> REASONS = List.of("SUBSCRIPTION_CLOSED", "UNBOUND_BY_USER", "ORGANIZATION_DELETED",
            "SUBSCRIPTION_FROZEN", "SUBSCRIPTION_RESUMED", "SUBSCRIPTION_BOUND", "SOME_FUTURE_REASON");
    static final List<String> CLOSE_ACTIONS = Arrays.asList("STOP_DEPLOYMENTS", "FREEZE_ORGANIZATION",
            "VENDOR_BILLING", null);

    final MailRenderer renderer = renderer();

    static MailRenderer renderer() {
        Branding branding = new Branding();
        branding.setProducts(Map.of("cmgj00053362", new Branding.Brand("Guance", null, "https://support.example/g")));
        return new MailRenderer(new MailProperties("billing@example", List.of(), "en", false, "zh-CN", null,
                Duration.ofSeconds(1), 50, 10, Duration.ofSeconds(10), Duration.ofMinutes(5), 30, Duration.ofMinutes(1),
                "http://gateway.example", "secret"), branding);
    }

    /** The subject, text and HTML of a rendered mail, none of which may hold an internal code. */
    static void assertNoInternalCode(String what, String subject, String text, String html) {
        for (String part : List.of(subject, text, html)) {
            assertThat(INTERNAL_CODE.matcher(part).results().map(r -> r.group()).toList())
                    .as("internal codes in %s: %s", what, part).isEmpty();
        }
    }

    @Test
    void noMailTypeShowsAnInternalCodeInEitherLanguageWhateverTheReasonOrCloseAction() {
        int rendered = 0;
        for (MailType type : MailType.values()) {
            for (String lang : List.of("zh-CN", "en")) {
                for (Map<String, Object> facts : variants(type)) {
                    MailRenderer.Rendered r = renderer.render(type, lang, "cmgj00053362", facts, "http://x/opt-out");
                    String what = type + " " + lang + " " + facts.get("reason") + "/" + facts.get("closeAction");
                    assertThat(r.subject()).as(what).isNotBlank().doesNotContain("[(").doesNotContain("${");
                    assertThat(r.text()).as(what).doesNotContain("[(").doesNotContain("[#").doesNotContain("${");
                    assertNoInternalCode(what, r.subject(), r.text(), r.html());
                    rendered++;
                }
            }
        }
        assertThat(rendered).isEqualTo(MailType.values().length * 2 * REASONS.size() * CLOSE_ACTIONS.size() * 2);
    }

    /** The sample facts, with every reason, every close action (and none), with and without a deletion time. */
    private static List<Map<String, Object>> variants(MailType type) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String reason : REASONS) {
            for (String action : CLOSE_ACTIONS) {
                for (boolean deleteAt : List.of(true, false)) {
                    Map<String, Object> f = new LinkedHashMap<>(SampleFacts.of(type));
                    f.put("reason", reason);
                    if (action == null) {
                        f.remove("closeAction");
                        f.remove("closeActionAt");
                    } else {
                        f.put("closeAction", action);
                    }
                    if (!deleteAt) {
                        f.remove("deleteAt");
                    }
                    out.add(f);
                }
            }
        }
        return out;
    }

    private MailRenderer.Rendered channelEnded(String lang, String reason, String action) {
        Map<String, Object> f = new LinkedHashMap<>(SampleFacts.of(MailType.CHANNEL_ENDED));
        f.put("reason", reason);
        if (action == null) {
            f.remove("closeAction");
            f.remove("closeActionAt");
        } else {
            f.put("closeAction", action);
            f.put("closeActionAt", "2026-11-23T09:00:00Z");
        }
        return renderer.render(MailType.CHANNEL_ENDED, lang, "cmgj00053362", f, null);
    }

    @Test
    void theEndOfAChannelSaysWhyAndWhatHappensWhenUnlessAnotherSubscriptionIsBound() {
        assertThat(channelEnded("en", "SUBSCRIPTION_CLOSED", "FREEZE_ORGANIZATION").text())
                .contains("The subscription was closed on the marketplace.")
                .contains("Unless another subscription is linked to Sample Org before 2026-11-23 09:00 UTC, the "
                        + "organization will be frozen then.");
        assertThat(channelEnded("zh-CN", "SUBSCRIPTION_CLOSED", "FREEZE_ORGANIZATION").text())
                .contains("该订阅已在云市场关闭。")
                .contains("如果在 2026-11-23 17:00（北京时间） 之前没有为组织 Sample Org 绑定新的订阅，届时该组织将被冻结。");
        assertThat(channelEnded("en", "SUBSCRIPTION_CLOSED", "STOP_DEPLOYMENTS").html())
                .contains("before 2026-11-23 09:00 UTC, its running deployments will be stopped then.");
        assertThat(channelEnded("zh-CN", "SUBSCRIPTION_CLOSED", "STOP_DEPLOYMENTS").html())
                .contains("届时其中正在运行的部署将被停止");
        assertThat(channelEnded("en", "SUBSCRIPTION_CLOSED", "VENDOR_BILLING").text())
                .contains("before 2026-11-23 09:00 UTC, it will pay through Guance's own billing from then on.");
        assertThat(channelEnded("zh-CN", "SUBSCRIPTION_CLOSED", "VENDOR_BILLING").text())
                .contains("届时该组织将改由 Guance 自己的计费账户结算");
        // unbound by an admin: no close action, nothing happens at a time
        MailRenderer.Rendered byAdmin = channelEnded("en", "UNBOUND_BY_USER", null);
        assertThat(byAdmin.text()).contains("An admin unbound it from the organization.")
                .contains("subscribe again and link the new subscription").doesNotContain("Unless").doesNotContain("UTC");
        assertThat(channelEnded("zh-CN", "UNBOUND_BY_USER", null).text()).contains("管理员解除了该订阅与组织的绑定。")
                .doesNotContain("北京时间");
        assertThat(channelEnded("en", "ORGANIZATION_DELETED", null).text()).contains("The organization was deleted.")
                .doesNotContain("subscribe again");
        assertThat(channelEnded("zh-CN", "ORGANIZATION_DELETED", null).text()).contains("该组织已被删除。");
    }

    @Test
    void aFrozenOrganizationIsToldWhyInWords() {
        Map<String, Object> f = new LinkedHashMap<>(SampleFacts.of(MailType.ORGANIZATION_FROZEN));
        f.put("reason", "SUBSCRIPTION_FROZEN");
        assertThat(renderer.render(MailType.ORGANIZATION_FROZEN, "en", null, f, null).text())
                .contains("the marketplace suspended its subscription").contains("Renew or top up");
        assertThat(renderer.render(MailType.ORGANIZATION_FROZEN, "zh-CN", null, f, null).text())
                .contains("云市场暂停了它的订阅").contains("续费或充值");
        f.put("reason", "SUBSCRIPTION_CLOSED");
        assertThat(renderer.render(MailType.ORGANIZATION_FROZEN, "en", null, f, null).text())
                .contains("its marketplace subscription was closed and no other subscription was linked in time")
                .contains("Subscribe again and link the subscription");
        assertThat(renderer.render(MailType.ORGANIZATION_FROZEN, "zh-CN", null, f, null).text())
                .contains("它的云市场订阅已关闭").contains("重新订阅并把订阅绑定到该组织后");
    }

    @Test
    void theStoppingMailNamesTheDeletionTimeOrSaysItWithoutOne() {
        Map<String, Object> f = new LinkedHashMap<>(SampleFacts.of(MailType.DEPLOYMENTS_STOPPING));
        f.put("deleteAt", "2026-11-26T09:00:00Z");
        assertThat(renderer.render(MailType.DEPLOYMENTS_STOPPING, "en", null, f, null).text())
                .contains("Stopped deployments are deleted at 2026-11-26 09:00 UTC").doesNotContain("3 days");
        assertThat(renderer.render(MailType.DEPLOYMENTS_STOPPING, "zh-CN", null, f, null).text())
                .contains("停止的部署将于 2026-11-26 17:00（北京时间） 删除").doesNotContain("3 天");
        f.remove("deleteAt"); // an event written before the deletion time was in it
        assertThat(renderer.render(MailType.DEPLOYMENTS_STOPPING, "en", null, f, null).text())
                .contains("Stopped deployments are deleted after a grace period").doesNotContain("UTC");
        assertThat(renderer.render(MailType.DEPLOYMENTS_STOPPING, "zh-CN", null, f, null).text())
                .contains("停止的部署将在宽限期后删除").doesNotContain("北京时间");
    }

    @Test
    void workspacesThatFellBackTogetherAreNamedInOneMailAndOneAloneAsBefore() {
        Map<String, Object> f = new LinkedHashMap<>(SampleFacts.of(MailType.BACK_TO_VENDOR_BILLING));
        f.put("organizationName", "ws1");
        f.put("organizationNames", List.of("ws1", "ws3"));
        MailRenderer.Rendered en = renderer.render(MailType.BACK_TO_VENDOR_BILLING, "en", "cmgj00053362", f, null);
        assertThat(en.subject()).isEqualTo("ws1, ws3 are back on Guance's own billing");
        assertThat(en.text()).contains("organizations ws1, ws3 now pay through Guance's own billing")
                .contains("Guance's billing center");
        MailRenderer.Rendered zh = renderer.render(MailType.BACK_TO_VENDOR_BILLING, "zh-CN", "cmgj00053362", f, null);
        assertThat(zh.subject()).isEqualTo("ws1、ws3 已改回 Guance 账户付费");
        assertThat(zh.text()).contains("组织 ws1、ws3 改由 Guance 自己的计费账户结算").contains("Guance 费用中心");
        f.put("organizationNames", List.of("ws1"));
        assertThat(renderer.render(MailType.BACK_TO_VENDOR_BILLING, "en", "cmgj00053362", f, null).subject())
                .isEqualTo("ws1 is back on Guance's own billing");
        f.remove("organizationNames");
        assertThat(renderer.render(MailType.BACK_TO_VENDOR_BILLING, "en", "cmgj00053362", f, null).text())
                .contains("organization ws1 now pays through Guance's own billing");
    }

    @Test
    void theReminderAndTheCancellationHaveTheirOwnWording() {
        Map<String, Object> f = new LinkedHashMap<>(SampleFacts.of(MailType.DEPLOYMENTS_DELETION_REMINDER));
        MailRenderer.Rendered en = renderer.render(MailType.DEPLOYMENTS_DELETION_REMINDER, "en", null, f, null);
        assertThat(en.subject()).isEqualTo("Reminder: the deployments of Sample Org will be deleted at 2026-11-26 09:00 UTC");
        assertThat(en.text()).contains("still to be deleted at 2026-11-26 09:00 UTC")
                .contains("Bind a marketplace subscription to the organization before then to keep them");
        assertThat(renderer.render(MailType.DEPLOYMENTS_DELETION_REMINDER, "zh-CN", null, f, null).text())
                .contains("仍将于 2026-11-26 17:00（北京时间） 被删除").contains("在此之前为该组织绑定云市场订阅");
        Map<String, Object> c = new LinkedHashMap<>(SampleFacts.of(MailType.DEPLOYMENTS_DELETION_CANCELLED));
        MailRenderer.Rendered cancelled = renderer.render(MailType.DEPLOYMENTS_DELETION_CANCELLED, "en", null, c, null);
        assertThat(cancelled.subject()).isEqualTo("The deployments of Sample Org will not be deleted");
        assertThat(cancelled.text()).contains("the deletion of its stopped deployments is off")
                .contains("kept and can be started again");
        assertThat(renderer.render(MailType.DEPLOYMENTS_DELETION_CANCELLED, "zh-CN", "cmgj00053362", c, null).text())
                .contains("删除已取消").contains("部署会被保留，可以在 Guance 控制台重新启动。");
        // a product without a name known here: no gap where it would be
        assertThat(cancelled.text()).contains("can be started again.");
        assertThat(renderer.render(MailType.DEPLOYMENTS_DELETION_CANCELLED, "zh-CN", null, c, null).text())
                .contains("可以在控制台重新启动。");
    }
}

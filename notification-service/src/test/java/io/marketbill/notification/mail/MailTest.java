package io.marketbill.notification.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.DeploymentsDeletionCancelled;
import io.marketbill.contracts.DeploymentsDeletionReminder;
import io.marketbill.contracts.DeploymentsDeletionScheduled;
import io.marketbill.contracts.DeploymentsStopRequested;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.MemberAdded;
import io.marketbill.contracts.MeteringOverdue;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrgUnfrozen;
import io.marketbill.contracts.OrganizationCreated;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionUnbound;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.MutableClock;
import io.marketbill.testsupport.TestInfrastructure;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every mail, read back over IMAP from a real (GreenMail) server: recipient, subject, language, key facts;
 * once per event and recipient; opt-out; SMTP down for five minutes of the service's clock; dead mail and
 * resend; the per-recipient limit; template overrides and previews.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@Import(MailTest.Clocks.class)
class MailTest {

    @TestConfiguration
    static class Clocks {
        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock(Instant.parse("2026-11-23T08:00:00Z"));
        }
    }

    static final int SMTP = freePort();
    static final int IMAP = freePort();
    static GreenMail mailServer = startMailServer();
    static Path overrides;

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static GreenMail startMailServer() {
        GreenMail g = new GreenMail(new ServerSetup[] {new ServerSetup(SMTP, "127.0.0.1", "smtp"),
                new ServerSetup(IMAP, "127.0.0.1", "imap")});
        g.start();
        for (String user : List.of("alice@acme.example", "li@acme.example", "bob@acme.example", "ops@vendor.example",
                "archive@vendor.example", "busy@acme.example", "quiet@acme.example", "ann@ws.example",
                "wu@ws.example")) {
            g.setUser(user, user, "pw");
        }
        return g;
    }

    @AfterAll
    static void stopMailServer() {
        mailServer.stop();
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
        TestInfrastructure.register(registry);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP);
        registry.add("marketbill.notification.archive.address", () -> "archive@vendor.example");
        registry.add("marketbill.notification.archive.imap-host", () -> "127.0.0.1");
        registry.add("marketbill.notification.archive.imap-port", () -> IMAP);
        registry.add("marketbill.notification.archive.password", () -> "pw");
        // operations get a copy of every billing-critical mail (and only one of a fall-back told in several events)
        registry.add("marketbill.notification.copy-operations", () -> "true");
        overrides = Files.createTempDirectory("mail-overrides");
        // a vendor's own wording of one template, read from disk
        Files.writeString(overrides.resolve("organization_unfrozen_en.txt"),
                "Welcome back, [(${organizationName})]!\n\nVendor wording: [(${product.name})] works again.\n");
        registry.add("marketbill.notification.templates-dir", overrides::toString);
    }

    @Autowired MutableClock clock;
    @Autowired JdbcClient jdbc;
    @Autowired KafkaTemplate<String, String> kafka;
    @Autowired EventCodec codec;
    @Autowired MailDelivery delivery;
    @Autowired OptOutLinks links;
    @LocalServerPort int port;

    static final String EMQX = "cmgj00069406";
    static final String ZILLIZ = "cmgj00063418";
    static final String GUANCE = "cmgj00053362";

    @BeforeEach
    void directory() throws Exception {
        mailServer.purgeEmailFromAllMailboxes();
        jdbc.sql("TRUNCATE mail, mail_opt_out").update();
        directory(new OrganizationCreated("org-acme", "Acme", "cn"));
        directory(new MemberAdded("org-acme", "u-alice", "admin", "alice@acme.example", "Alice", "en"));
        directory(new MemberAdded("org-acme", "u-li", "ADMIN", "li@acme.example", "李雷", "zh-CN"));
        directory(new MemberAdded("org-acme", "u-bob", "member", "bob@acme.example", "Bob", "en"));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT COUNT(*) FROM membership WHERE "
                + "organization_id = 'org-acme' AND user_id IN ('u-alice', 'u-li', 'u-bob')").query(Long.class).single() == 3);
        jdbc.sql("DELETE FROM membership WHERE user_id = 'u-busy'").update();
    }

    private void directory(EventPayload p) throws Exception {
        send(Topics.DIRECTORY, "org-acme", codec.encode(EventEnvelope.ofDirectory(UUID.randomUUID(), clock.instant(),
                "vendor-platform", (io.marketbill.contracts.DirectoryEvent) p)));
    }

    private void send(String topic, String key, String value) throws Exception {
        kafka.send(topic, key, value).get(10, TimeUnit.SECONDS);
    }

    /** Publishes a billing event (on its own topic) and waits until its mails are planned. */
    private EventEnvelope event(String subscriptionId, EventPayload p, int expectedMails) throws Exception {
        EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), clock.instant(), "test", subscriptionId, p);
        String topic = io.marketbill.contracts.EventTypes.of(p.getClass()).topic();
        send(topic, subscriptionId, codec.encode(e));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT COUNT(*) FROM mail WHERE event_id = :e")
                .param("e", e.eventId()).query(Long.class).single() >= expectedMails);
        return e;
    }

    record Mail(String subject, String text, String html, String language, String messageId) {
    }

    /** The recipient's inbox, read over IMAP. */
    static List<Mail> inbox(String user) throws Exception {
        Properties p = new Properties();
        try (Store store = Session.getInstance(p).getStore("imap")) {
            store.connect("127.0.0.1", IMAP, user, "pw");
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<Mail> out = new ArrayList<>();
            for (Message m : inbox.getMessages()) {
                String[] parts = {"", ""};
                collect(m, parts);
                String[] lang = m.getHeader("Content-Language");
                String[] id = m.getHeader("Message-ID");
                out.add(new Mail(m.getSubject(), parts[0], parts[1], lang == null ? null : lang[0], id == null ? null : id[0]));
            }
            inbox.close(false);
            return out;
        }
    }

    private static void collect(Part part, String[] into) throws Exception {
        if (part.isMimeType("text/plain")) {
            into[0] += part.getContent();
        } else if (part.isMimeType("text/html")) {
            into[1] += part.getContent();
        } else if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                collect(mp.getBodyPart(i), into);
            }
        }
    }

    private void deliver() {
        delivery.deliverAll();
    }

    /** What a reader gets, as the planner's own facts render it, holds no internal code (SUBSCRIPTION_CLOSED, ...). */
    static void assertNoInternalCode(Mail m) {
        MailWordingTest.assertNoInternalCode(m.subject(), m.subject(), m.text(), m.html());
    }

    /** Waits until this service has consumed the event (for events that call for no mail). */
    private void awaitProcessed(EventEnvelope e) {
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                "SELECT COUNT(*) FROM processed_event WHERE event_id = :e").param("e", e.eventId())
                .query(Long.class).single() > 0);
    }

    private long mails(String type) {
        return jdbc.sql("SELECT COUNT(*) FROM mail WHERE mail_type = :t").param("t", type).query(Long.class).single();
    }

    /** Reader's times, as the mails show them. */
    private static String utc(Instant at) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(java.time.ZoneOffset.UTC)
                .format(at) + " UTC";
    }

    private static String beijing(Instant at) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
                .withZone(java.time.ZoneId.of("Asia/Shanghai")).format(at) + "（北京时间）";
    }

    @Test
    void guanceWorkspacesThatFellBackTogetherAreToldOncePerAdminNamingAllOfTheirsAndOperationsOnce() throws Exception {
        // three workspaces paid for by one Guance subscription: Ann administers the first and the third, Wu the second
        directory(new OrganizationCreated("ws-1", "Obs Prod", "cn"));
        directory(new OrganizationCreated("ws-2", "Obs Staging", "cn"));
        directory(new OrganizationCreated("ws-3", "Obs Dev", "cn"));
        directory(new MemberAdded("ws-1", "u-ann", "admin", "ann@ws.example", "Ann", "en"));
        directory(new MemberAdded("ws-3", "u-ann", "admin", "ann@ws.example", "Ann", "en"));
        directory(new MemberAdded("ws-2", "u-wu", "admin", "wu@ws.example", "吴", "zh-CN"));
        directory(new MemberAdded("ws-2", "u-bob", "member", "bob@acme.example", "Bob", "en"));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT COUNT(*) FROM membership WHERE "
                + "organization_id LIKE 'ws-%' AND user_id IN ('u-ann', 'u-wu', 'u-bob')").query(Long.class).single() == 4);
        String sub = "aliyun:ORDER-G1";
        EventEnvelope opened = event(sub, new SubscriptionOpened(GUANCE, "payg", false, "1880000000000101", "o", null,
                Map.of(), null, null), 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT COUNT(*) FROM billing_change WHERE event_id = :e")
                .param("e", opened.eventId()).query(Long.class).single() == 1);

        // the close, as binding-service tells it for a product without a switch grace period: at once, per workspace
        List<String> together = List.of("ws-1", "ws-2", "ws-3");
        Instant closedAt = clock.instant();
        List<EventEnvelope> close = new ArrayList<>();
        for (String ws : together) {
            close.add(event(sub, new SubscriptionUnbound(ws, GUANCE, "1880000000000101", "SUBSCRIPTION_CLOSED", null,
                    "VENDOR_BILLING", closedAt), 0));
            close.add(event(sub, new BillingChannelChanged(ws, "VENDOR", null, null, together), 0));
        }
        close.forEach(this::awaitProcessed);
        deliver();

        assertThat(inbox("ann@ws.example")).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("Obs Prod, Obs Dev are back on Guance's own billing");
            assertThat(m.text()).contains("organizations Obs Prod, Obs Dev now pay through Guance's own billing")
                    .contains("Guance's billing center").doesNotContain("Obs Staging");
            assertThat(m.language()).isEqualTo("en");
        });
        assertThat(inbox("wu@ws.example")).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("Obs Staging 已改回 Guance 账户付费");
            assertThat(m.text()).contains("组织 Obs Staging 改由 Guance 自己的计费账户结算").contains("Guance 费用中心")
                    .doesNotContain("Obs Prod");
        });
        assertThat(inbox("ops@vendor.example")).singleElement().satisfies(m -> assertThat(m.subject())
                .isEqualTo("Obs Prod, Obs Staging, Obs Dev are back on Guance's own billing"));
        assertThat(inbox("bob@acme.example")).isEmpty();
        // the fall-back happened at the close itself: no "no longer pays through the marketplace" besides it
        assertThat(mails("CHANNEL_ENDED")).isZero();
        assertThat(mails("BACK_TO_VENDOR_BILLING")).isEqualTo(3);
        List.of("ann@ws.example", "wu@ws.example", "ops@vendor.example").forEach(u -> {
            try {
                inbox(u).forEach(MailTest::assertNoInternalCode);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aZillizCloseNamesTheFreezeAndItsTimeAndTheFreezeSaysWhyInWords() throws Exception {
        String sub = "aliyun:ORDER-Z1";
        Instant freezeAt = clock.instant().plus(Duration.ofHours(1));
        event(sub, new SubscriptionUnbound("org-acme", ZILLIZ, "1880000000000201", "SUBSCRIPTION_CLOSED", null,
                "FREEZE_ORGANIZATION", freezeAt), 3);
        deliver();
        assertThat(inbox("alice@acme.example")).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("Acme no longer pays through the marketplace");
            assertThat(m.text()).contains("The subscription was closed on the marketplace.")
                    .contains("Unless another subscription is linked to Acme before " + utc(freezeAt)
                            + ", the organization will be frozen then.");
            assertThat(m.html()).contains(utc(freezeAt)).contains("frozen");
            assertNoInternalCode(m);
        });
        assertThat(inbox("li@acme.example")).singleElement().satisfies(m -> {
            assertThat(m.text()).contains("该订阅已在云市场关闭。").contains("如果在 " + beijing(freezeAt)
                    + " 之前没有为组织 Acme 绑定新的订阅，届时该组织将被冻结。");
            assertNoInternalCode(m);
        });
        // when the switch grace period is over: frozen, told why
        mailServer.purgeEmailFromAllMailboxes();
        clock.advance(Duration.ofHours(1));
        event(sub, new OrgFrozen("org-acme", "SUBSCRIPTION_CLOSED"), 3);
        deliver();
        assertThat(inbox("alice@acme.example")).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("Acme is frozen");
            assertThat(m.text()).contains("its marketplace subscription was closed and no other subscription was linked")
                    .contains("Subscribe again and link the subscription");
            assertNoInternalCode(m);
        });
        assertThat(inbox("li@acme.example")).singleElement().satisfies(m -> assertThat(m.text())
                .contains("它的云市场订阅已关闭").doesNotContain("SUBSCRIPTION"));
    }

    @Test
    void anEmqxCloseNamesTheDeletionTimeThenRemindsOfItAndTellsWhenItIsOff() throws Exception {
        String sub = "aliyun:ORDER-E1";
        event(sub, new SubscriptionBound("org-acme", EMQX, "1880000000000301", "u-alice", null), 2); // the branding
        Instant deleteAt = clock.instant().plus(Duration.ofDays(3));
        event(sub, new DeploymentsStopRequested("org-acme", true, "SUBSCRIPTION_CLOSED", deleteAt), 3);
        event(sub, new DeploymentsDeletionScheduled("org-acme", deleteAt), 3);
        EventEnvelope reminder = event(sub, new DeploymentsDeletionReminder("org-acme", deleteAt), 3);
        // another subscription bound before the deletion time: its binding comes first, then the cancellation
        event("aliyun:ORDER-E2", new SubscriptionBound("org-acme", EMQX, "1880000000000302", "u-alice", null), 2);
        EventEnvelope cancelled = event("aliyun:ORDER-E2",
                new DeploymentsDeletionCancelled("org-acme", "SUBSCRIPTION_BOUND"), 3);
        assertThat(jdbc.sql("SELECT DISTINCT mail_type FROM mail WHERE event_id = :e").param("e", reminder.eventId())
                .query(String.class).list()).containsExactly("DEPLOYMENTS_DELETION_REMINDER");
        assertThat(jdbc.sql("SELECT recipient FROM mail WHERE event_id = :e AND mail_type = :t ORDER BY recipient")
                .param("e", cancelled.eventId()).param("t", "DEPLOYMENTS_DELETION_CANCELLED").query(String.class).list())
                .containsExactly("alice@acme.example", "li@acme.example", "ops@vendor.example");
        deliver();

        List<Mail> alice = inbox("alice@acme.example");
        assertThat(alice).filteredOn(m -> m.subject().equals("The deployments of Acme are being stopped")).singleElement()
                .satisfies(m -> assertThat(m.text()).contains("Stopped deployments are deleted at " + utc(deleteAt))
                        .doesNotContain("3 days"));
        assertThat(alice).filteredOn(m -> m.subject().equals("Reminder: the deployments of Acme will be deleted at "
                + utc(deleteAt))).singleElement().satisfies(m -> assertThat(m.text())
                .contains("still to be deleted at " + utc(deleteAt))
                .contains("Bind a marketplace subscription to the organization before then to keep them")
                .contains("billing-critical"));
        assertThat(alice).filteredOn(m -> m.subject().equals("The deployments of Acme will not be deleted"))
                .singleElement().satisfies(m -> assertThat(m.text())
                        .contains("A subscription was linked to organization Acme: the deletion of its stopped "
                                + "deployments is off.")
                        .contains("can be started again in the EMQX Platform console"));
        List<Mail> li = inbox("li@acme.example");
        assertThat(li).extracting(Mail::subject).contains("Acme 的部署即将停止",
                "提醒：Acme 的部署将于 " + beijing(deleteAt) + " 删除", "Acme 的部署不会被删除");
        assertThat(li).filteredOn(m -> m.subject().equals("Acme 的部署即将停止")).singleElement()
                .satisfies(m -> assertThat(m.text()).contains("停止的部署将于 " + beijing(deleteAt) + " 删除")
                        .doesNotContain("3 天后"));
        for (List<Mail> inbox : List.of(alice, li, inbox("ops@vendor.example"))) {
            inbox.forEach(MailTest::assertNoInternalCode);
        }
    }

    @Test
    void eachMailTypeReachesTheAdminsInTheirLanguageWithTheKeyFacts() throws Exception {
        String sub = "aliyun:ORDER-7";
        // the product, for branding: known from SubscriptionOpened, read from another topic than what follows, so
        // wait until it is recorded (it calls for no mail: no organization has paid with this account yet)
        EventEnvelope opened = event(sub, new SubscriptionOpened(EMQX, "payg", false, "1880000000000007", "o", null,
                Map.of(), null, null), 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT COUNT(*) FROM billing_change WHERE event_id = :e")
                .param("e", opened.eventId()).query(Long.class).single() == 1);
        event(sub, new SubscriptionBound("org-acme", EMQX, "1880000000000007", "u-alice", null), 2);
        event(sub, new SubscriptionBound("org-acme", EMQX, "1880000000000008", "u-alice", "aliyun:ORDER-6"), 2);
        event(sub, new SubscriptionUnbound("org-acme", EMQX, "1880000000000007", "SUBSCRIPTION_CLOSED", "marketplace"), 2);
        event(sub, new BillingChannelChanged("org-acme", "VENDOR", null, null), 2);
        event(sub, new BillingChannelChanged("org-acme", "MARKETPLACE", "aliyun", "1880000000000007"), 0);
        event(sub, new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 2);
        event(sub, new OrgUnfrozen("org-acme", "SUBSCRIPTION_RESUMED"), 2);
        event(sub, new DeploymentsStopRequested("org-acme", true, "SUBSCRIPTION_CLOSED"), 2);
        event(sub, new DeploymentsDeletionScheduled("org-acme", Instant.parse("2026-11-26T09:30:00Z")), 2);
        event(sub, new MeteringOverdue(42, "cu_hours", Instant.parse("2026-11-23T06:00:00Z"), 1870,
                Instant.parse("2026-11-23T07:59:00Z"), "1.87"), 1);
        // an account that paid for Acme subscribes again: its buyers are known now
        event("aliyun:ORDER-9", new SubscriptionOpened(EMQX, "payg", false, "1880000000000007", "o", null, Map.of(),
                null, null), 2);
        deliver();

        List<Mail> alice = inbox("alice@acme.example");
        List<Mail> li = inbox("li@acme.example");
        assertThat(inbox("bob@acme.example")).as("members who are not admins get nothing").isEmpty();
        assertThat(alice).extracting(Mail::subject).containsExactlyInAnyOrder(
                "Acme now pays through the marketplace",
                "Acme changed its paying account",
                "Acme no longer pays through the marketplace",
                "Acme is back on EMQX Platform's own billing",
                "Acme is frozen",
                "Welcome back, Acme!",
                "The deployments of Acme are being stopped",
                "The deployments of Acme will be deleted at 2026-11-26 09:30 UTC",
                "You subscribed to EMQX Platform on the marketplace");
        assertThat(li).extracting(Mail::subject).containsExactlyInAnyOrder(
                "Acme 现在通过云市场付费",
                "Acme 的付费账号已更换",
                "Acme 已不再通过云市场付费",
                "Acme 已改回 EMQX Platform 账户付费",
                "Acme 已被冻结",
                "Acme 已解冻",
                "Acme 的部署即将停止",
                "Acme 的部署将于 2026-11-26 17:30（北京时间） 删除",
                "您已通过云市场开通 EMQX Platform");
        assertThat(alice).allSatisfy(m -> assertThat(m.language()).isEqualTo("en"));
        assertThat(li).allSatisfy(m -> assertThat(m.language()).isEqualTo("zh-CN"));

        Mail deletion = alice.stream().filter(m -> m.subject().contains("deleted")).findFirst().orElseThrow();
        assertThat(deletion.text()).contains("2026-11-26 09:30 UTC").contains("Back up your data")
                .contains("billing-critical").doesNotContain("Unsubscribe");
        assertThat(deletion.html()).contains("https://assets.example/emqx.png").contains("https://support.example/emqx");
        Mail switched = alice.stream().filter(m -> m.subject().contains("paying account")).findFirst().orElseThrow();
        assertThat(switched.text()).contains("1880000000000008").contains("ORDER-6");
        Mail stopping = li.stream().filter(m -> m.subject().contains("停止")).findFirst().orElseThrow();
        // an event without a deletion time (written before it was in it): said without a time, and no made-up one
        assertThat(stopping.text()).contains("试用部署会运行到试用结束").contains("停止的部署将在宽限期后删除")
                .doesNotContain("3 天").doesNotContain("北京时间");
        // why, in words: the reason codes of the events are not for readers
        assertThat(alice.stream().filter(m -> m.subject().contains("no longer pays")).findFirst().orElseThrow().text())
                .contains("The subscription was closed on the marketplace.")
                .contains("To keep paying through the marketplace, subscribe again");
        assertThat(alice.stream().filter(m -> m.subject().contains("is frozen")).findFirst().orElseThrow().text())
                .contains("the marketplace suspended its subscription");
        Mail active = alice.stream().filter(m -> m.subject().contains("now pays")).findFirst().orElseThrow();
        assertThat(active.text()).contains("Alibaba Cloud Marketplace").contains("Unsubscribe: http://gateway.example/notifications/opt-out?email=alice%40acme.example&sig=");

        List<Mail> ops = inbox("ops@vendor.example");
        assertThat(ops).filteredOn(m -> m.subject().startsWith("Metering")).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("Metering not delivered: aliyun:ORDER-7 2026-11-23 06:00 UTC");
            assertThat(m.text()).contains("¥1.87, 1870 units").contains("ledger record 42").contains("2026-11-23 07:59 UTC");
        });
        // and a copy of each billing-critical mail, in the operations language; none of the optional ones
        assertThat(ops).extracting(Mail::subject).containsExactlyInAnyOrder(
                "Metering not delivered: aliyun:ORDER-7 2026-11-23 06:00 UTC",
                "Acme changed its paying account",
                "Acme no longer pays through the marketplace",
                "Acme is back on EMQX Platform's own billing",
                "Acme is frozen",
                "The deployments of Acme are being stopped",
                "The deployments of Acme will be deleted at 2026-11-26 09:30 UTC");
        for (List<Mail> inbox : List.of(alice, li, ops)) {
            inbox.forEach(MailTest::assertNoInternalCode);
        }
        // and the archive holds a blind copy of every mail
        assertThat(inbox("archive@vendor.example")).hasSize(alice.size() + li.size() + ops.size());
    }

    @Test
    void oneMailPerEventAndRecipientWhateverIsRedeliveredOrRunAgain() throws Exception {
        EventEnvelope e = event("aliyun:ORDER-1", new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 2);
        send(Topics.BINDING, "aliyun:ORDER-1", codec.encode(e)); // Kafka delivers it again
        event("aliyun:ORDER-1", new OrgUnfrozen("org-acme", "SUBSCRIPTION_RESUMED"), 2); // ordered after the repeat
        deliver();
        deliver();
        assertThat(inbox("alice@acme.example")).extracting(Mail::subject)
                .containsExactlyInAnyOrder("Acme is frozen", "Welcome back, Acme!");
        // two admins twice, and operations' copy of the critical one
        assertThat(jdbc.sql("SELECT COUNT(*) FROM mail").query(Long.class).single()).isEqualTo(5);
    }

    @Test
    void anEventThatArrivesBeforeItsOrganizationsAdminIsMailedWhenTheAdminArrives() throws Exception {
        jdbc.sql("DELETE FROM mail_awaiting_directory").update();
        // after an outage binding.v1 can be read before directory.v1: the organization is not known here yet
        EventEnvelope bound = event("aliyun:ORDER-LATE", new SubscriptionBound("org-late", EMQX, "1880000000000042",
                "u-quiet", null), 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                "SELECT COUNT(*) FROM mail_awaiting_directory WHERE event_id = :e").param("e", bound.eventId())
                .query(Long.class).single() == 1);
        assertThat(Http.getAsOperator(port, "/api/notifications/mails/summary").body()).contains("\"awaitingDirectory\":1");
        assertThat(Http.getAsOperator(port, "/api/notifications/awaiting-directory").body())
                .contains("\"organizationId\":\"org-late\",\"events\":1");
        event("aliyun:ORDER-LATE", new OrgFrozen("org-late", "SUBSCRIPTION_FROZEN"), 0);
        // a member who is not an admin does not end the wait
        directory(new OrganizationCreated("org-late", "Late Ltd", "cn"));
        directory(new MemberAdded("org-late", "u-bob", "member", "bob@acme.example", "Bob", "en"));
        directory(new MemberAdded("org-late", "u-quiet", "admin", "quiet@acme.example", "Quiet", "en"));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                "SELECT COUNT(*) FROM mail WHERE recipient = 'quiet@acme.example'").query(Long.class).single() == 2);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM mail_awaiting_directory").query(Long.class).single()).isZero();
        send(Topics.BINDING, "aliyun:ORDER-LATE", codec.encode(bound)); // and a redelivery changes nothing
        deliver();
        assertThat(inbox("quiet@acme.example")).extracting(Mail::subject)
                .containsExactlyInAnyOrder("Late Ltd now pays through the marketplace", "Late Ltd is frozen");
        assertThat(inbox("bob@acme.example")).isEmpty();
    }

    @Test
    void aSubscriptionsOwnBindingReadBeforeItsOpeningNeitherMakesItsBuyerKnownNorLosesItsBranding() throws Exception {
        String account = "1880000000000077";
        Instant t = clock.instant();
        // after an outage a subscription's own binding can be read before its opening: no "welcome back" for it
        event("aliyun:ORDER-77", new SubscriptionBound("org-acme", EMQX, account, "u-alice", null), 2);
        // and what follows the binding on its topic carries the product's branding even so
        EventEnvelope frozen = event("aliyun:ORDER-77", new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 2);
        assertThat(jdbc.sql("SELECT DISTINCT product_code FROM mail WHERE event_id = :e").param("e", frozen.eventId())
                .query(String.class).list()).containsExactly(EMQX);
        assertThat(mailsFor(opened("aliyun:ORDER-77", account, t))).isZero();
        // nor for a subscription that opened before the account's first binding, whatever order they are read in
        assertThat(mailsFor(opened("aliyun:ORDER-76", account, t.minusSeconds(60)))).isZero();
        // a later subscription of the same account: its buyers are the admins of the organization it paid for
        EventEnvelope later = EventEnvelope.of(UUID.randomUUID(), t.plusSeconds(60), "test", "aliyun:ORDER-78",
                new SubscriptionOpened(EMQX, "payg", false, account, "o", null, Map.of(), null, null));
        send(Topics.MARKETPLACE_SUBSCRIPTIONS, "aliyun:ORDER-78", codec.encode(later));
        await().atMost(Duration.ofSeconds(30)).until(() -> mailsFor(later) == 2);
        assertThat(jdbc.sql("SELECT recipient FROM mail WHERE event_id = :e ORDER BY recipient")
                .param("e", later.eventId()).query(String.class).list())
                .containsExactly("alice@acme.example", "li@acme.example");
    }

    /** Publishes a SubscriptionOpened that happened at the given time and waits until it is recorded. */
    private EventEnvelope opened(String subscriptionId, String account, Instant at) throws Exception {
        EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), at, "test", subscriptionId,
                new SubscriptionOpened(EMQX, "payg", false, account, "o", null, Map.of(), null, null));
        send(Topics.MARKETPLACE_SUBSCRIPTIONS, subscriptionId, codec.encode(e));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql("SELECT COUNT(*) FROM billing_change WHERE event_id = :e")
                .param("e", e.eventId()).query(Long.class).single() == 1);
        return e;
    }

    private long mailsFor(EventEnvelope e) {
        return jdbc.sql("SELECT COUNT(*) FROM mail WHERE event_id = :e").param("e", e.eventId()).query(Long.class).single();
    }

    @Test
    void optingOutStopsOptionalMailButNotBillingCriticalMail() throws Exception {
        String url = links.optOutUrl("alice@acme.example");
        String query = url.substring(url.indexOf('?') + 1);
        assertThat(Http.requestAsOperator(port, "POST", "/notifications/opt-out?" + query.replace("sig=", "sig=x"), null)
                .statusCode()).isEqualTo(403);
        assertThat(Http.getAsOperator(port, "/notifications/opt-out?" + query).body()).contains("Unsubscribe / 退订");
        assertThat(Http.requestAsOperator(port, "POST", "/notifications/opt-out?" + query, null).body()).contains("Done");
        event("aliyun:ORDER-2", new OrgUnfrozen("org-acme", "SUBSCRIPTION_RESUMED"), 2);   // optional
        event("aliyun:ORDER-2", new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 2);      // critical
        deliver();
        assertThat(inbox("alice@acme.example")).extracting(Mail::subject).containsExactly("Acme is frozen");
        assertThat(inbox("li@acme.example")).hasSize(2);
        assertThat(jdbc.sql("SELECT state FROM mail WHERE recipient = 'alice@acme.example' AND mail_type = 'ORGANIZATION_UNFROZEN'")
                .query(String.class).single()).isEqualTo("SKIPPED");
    }

    @Test
    void withSmtpDownForFiveMinutesEveryMailIsDeliveredOnceWhenItIsBackAndDeadMailCanBeResent() throws Exception {
        mailServer.stop();
        try {
            event("aliyun:ORDER-3", new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 2);
            event("aliyun:ORDER-3", new DeploymentsDeletionScheduled("org-acme", Instant.parse("2026-11-26T09:30:00Z")), 2);
            Instant start = clock.instant();
            while (clock.instant().isBefore(start.plus(Duration.ofMinutes(5)))) {
                deliver();
                clock.advance(Duration.ofSeconds(15));
            }
            assertThat(jdbc.sql("SELECT DISTINCT state FROM mail").query(String.class).list()).containsExactly("PENDING");
            assertThat(jdbc.sql("SELECT MIN(attempts) FROM mail").query(Integer.class).single()).isGreaterThanOrEqualTo(4);
            assertThat(Http.getAsOperator(port, "/api/notifications/mails?state=PENDING").body()).contains("ConnectException");
        } finally {
            mailServer = startMailServer();
        }
        clock.advance(Duration.ofMinutes(5)); // past the longest backoff
        deliver();
        assertThat(inbox("alice@acme.example")).extracting(Mail::subject).containsExactlyInAnyOrder("Acme is frozen",
                "The deployments of Acme will be deleted at 2026-11-26 09:30 UTC");
        assertThat(inbox("li@acme.example")).hasSize(2);
        deliver();
        assertThat(inbox("alice@acme.example")).hasSize(2);

        // down for good: after max-attempts the mail is DEAD, listed, and an operator can send it again
        mailServer.stop();
        try {
            event("aliyun:ORDER-4", new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 2);
            for (int i = 0; i < 40; i++) {
                deliver();
                clock.advance(Duration.ofMinutes(5));
            }
        } finally {
            mailServer = startMailServer();
        }
        // both admins' and operations' copy
        assertThat(Http.getAsOperator(port, "/api/notifications/mails/summary").body()).contains("\"DEAD\":3");
        List<Long> dead = jdbc.sql("SELECT id FROM mail WHERE state = 'DEAD'").query(Long.class).list();
        for (Long id : dead) {
            assertThat(Http.requestAsOperator(port, "POST", "/api/notifications/mails/" + id + "/resend", null).statusCode())
                    .isEqualTo(202);
        }
        deliver();
        assertThat(inbox("alice@acme.example")).extracting(Mail::subject).containsExactly("Acme is frozen");
    }

    @Test
    void aBusyRecipientWaitsInsteadOfBeingFloodedAndNothingIsDropped() throws Exception {
        directory(new MemberAdded("org-acme", "u-busy", "admin", "busy@acme.example", "Busy", "en"));
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                "SELECT COUNT(*) FROM membership WHERE user_id = 'u-busy'").query(Long.class).single() == 1);
        for (int i = 0; i < 25; i++) {
            event("aliyun:BUSY-" + i, new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 3);
        }
        deliver();
        assertThat(inbox("busy@acme.example")).hasSize(20);
        assertThat(Http.getAsOperator(port, "/api/notifications/mails?recipient=busy@acme.example&state=PENDING").body())
                .contains("20 mails to this address in the last hour");
        clock.advance(Duration.ofMinutes(61));
        deliver();
        assertThat(inbox("busy@acme.example")).hasSize(25);
    }

    @Test
    void aMailCutOffMidSendIsLookedUpInTheArchiveAndSentOnlyIfItNeverWentOut() throws Exception {
        event("aliyun:ORDER-5", new OrgFrozen("org-acme", "SUBSCRIPTION_FROZEN"), 2);
        deliver();
        // as if the service died right after the server took alice's mail, and right before it sent li's
        jdbc.sql("UPDATE mail SET state = 'SENDING', next_attempt_at = :t WHERE recipient = 'alice@acme.example'")
                .param("t", java.sql.Timestamp.from(clock.instant())).update();
        jdbc.sql("""
                INSERT INTO mail (event_id, recipient, mail_type, language, product_code, critical, model, state,
                    next_attempt_at, message_id, created_at)
                SELECT gen_random_uuid(), 'li@acme.example', mail_type, 'zh-CN', product_code, critical, model, 'SENDING',
                    :t, '<never-sent@marketbill>', created_at FROM mail WHERE recipient = 'alice@acme.example'""")
                .param("t", java.sql.Timestamp.from(clock.instant())).update();
        clock.advance(Duration.ofMinutes(2));
        deliver(); // settles both
        deliver(); // sends what never went out
        assertThat(inbox("alice@acme.example")).as("already sent: not again").hasSize(1);
        assertThat(inbox("li@acme.example")).as("never went out: sent now").hasSize(2);
        assertThat(jdbc.sql("SELECT DISTINCT state FROM mail").query(String.class).list()).containsExactly("SENT");
    }

    @Test
    void everyTemplatePreviewsInBothLanguagesAndAVendorsOverrideWinsWithoutARebuild() {
        for (MailType t : MailType.values()) {
            for (String lang : List.of("zh-CN", "en")) {
                var html = Http.getAsOperator(port, "/api/notifications/templates/" + t.name().toLowerCase() + "/preview?language="
                        + lang + "&product=" + EMQX);
                assertThat(html.statusCode()).as(t + " " + lang).isEqualTo(200);
                assertThat(html.body()).contains("EMQX Platform").doesNotContain("[[").doesNotContain("${");
                var text = Http.getAsOperator(port, "/api/notifications/templates/" + t.name() + "/preview?format=text&language="
                        + lang);
                assertThat(text.body()).startsWith("Subject: ").doesNotContain("[[");
            }
        }
        assertThat(Http.getAsOperator(port, "/api/notifications/templates/organization_unfrozen/preview?format=text&language=en")
                .body()).startsWith("Subject: Welcome back, Sample Org!").contains("Vendor wording");
        assertThat(Http.getAsOperator(port, "/api/notifications/templates/nope/preview").statusCode()).isEqualTo(400);
    }
}

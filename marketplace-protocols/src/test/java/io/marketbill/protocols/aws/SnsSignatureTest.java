package io.marketbill.protocols.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SnsSignatureTest {

    static KeyPair keys;
    static X509Certificate cert;

    @BeforeAll
    static void keys() throws Exception {
        CertificateAuthority.Issued issued = CertificateAuthority.create("test CA").issue("sns.test");
        keys = issued.keys();
        cert = issued.certificate();
    }

    static Map<String, String> notification(String message, String version) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "Notification");
        m.put("MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
        m.put("TopicArn", "arn:aws:sns:us-east-1:123456789012:aws-mp-subscription-notification-prod");
        m.put("Message", message);
        m.put("Timestamp", "2026-11-22T08:00:00.000Z");
        m.put("SignatureVersion", version);
        return m;
    }

    @Test
    void theStringToSignFollowsTheDocumentedOrderAndSkipsAMissingSubject() {
        Map<String, String> m = notification("{\"action\":\"subscribe-success\"}", "2");
        assertThat(SnsSignature.stringToSign(m)).isEqualTo("Message\n{\"action\":\"subscribe-success\"}\n"
                + "MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nTimestamp\n2026-11-22T08:00:00.000Z\n"
                + "TopicArn\narn:aws:sns:us-east-1:123456789012:aws-mp-subscription-notification-prod\nType\nNotification\n");
        m.put("Subject", "hello");
        assertThat(SnsSignature.stringToSign(m)).contains("MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nhello\n"
                + "Timestamp\n");
        Map<String, String> c = new LinkedHashMap<>(m);
        c.put("Type", "SubscriptionConfirmation");
        c.put("Token", "tok");
        c.put("SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription");
        assertThat(SnsSignature.stringToSign(c)).contains("SubscribeURL\nhttps://sns").contains("Token\ntok\n")
                .doesNotContain("Subject");
    }

    @Property(tries = 30)
    void bothSignatureVersionsVerifyAndAnyTamperingFails(@ForAll @StringLength(min = 1, max = 300) String message,
                                                         @ForAll boolean v2) {
        Map<String, String> m = notification(message, v2 ? "2" : "1");
        m.put("Signature", SnsSignature.sign(m, keys.getPrivate()));
        assertThat(SnsSignature.verify(m, cert)).isTrue();

        Map<String, String> tampered = new LinkedHashMap<>(m);
        tampered.put("Message", message + " ");
        assertThat(SnsSignature.verify(tampered, cert)).isFalse();
        Map<String, String> otherVersion = new LinkedHashMap<>(m);
        otherVersion.put("SignatureVersion", v2 ? "1" : "2");
        assertThat(SnsSignature.verify(otherVersion, cert)).isFalse();
        Map<String, String> otherTime = new LinkedHashMap<>(m);
        otherTime.put("Timestamp", "2026-11-22T08:00:00Z"); // re-rendered without millis: a different string
        assertThat(SnsSignature.verify(otherTime, cert)).isFalse();
    }

    @Test
    void onlyHttpsPemUrlsOnSnsHostsOfAwsAreCertificateUrls() {
        assertThat(SnsSignature.isAwsCertificateUrl(URI.create(
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"))).isTrue();
        assertThat(SnsSignature.isAwsCertificateUrl(URI.create(
                "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem"))).isTrue();
        assertThat(SnsSignature.isAwsCertificateUrl(URI.create("http://sns.us-east-1.amazonaws.com/x.pem"))).isFalse();
        assertThat(SnsSignature.isAwsCertificateUrl(URI.create("https://sns.us-east-1.amazonaws.com/x.txt"))).isFalse();
        assertThat(SnsSignature.isAwsCertificateUrl(URI.create("https://evil.example.com/x.pem"))).isFalse();
        assertThat(SnsSignature.isAwsCertificateUrl(URI.create("https://sns.us-east-1.amazonaws.com.evil.com/x.pem")))
                .isFalse();
        assertThat(SnsSignature.isAwsCertificateUrl(URI.create("https://sns.x.amazonaws.com/x.pem"))).isFalse();
    }
}

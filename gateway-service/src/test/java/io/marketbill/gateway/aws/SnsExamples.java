package io.marketbill.gateway.aws;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Documented SNS bodies. The envelope is the example of the Amazon SNS Developer Guide, "HTTP/HTTPS notification
 * JSON format", https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html (its Message, Signature and
 * SigningCertURL are replaced: the test signs with its own certificate). The messages are the format of the AWS
 * Marketplace Seller Guide, "Amazon SNS notifications for SaaS products",
 * https://docs.aws.amazon.com/marketplace/latest/userguide/saas-notification.html ({@code aws-mp-subscription-notification}),
 * as printed there: the customer identifier with its leading space, {@code isFreeTrialTermPresent} as a string.
 */
final class SnsExamples {

    private SnsExamples() {
    }

    /** The example envelope's topic. */
    static final String TOPIC = "arn:aws:sns:us-west-2:123456789012:MyTopic";
    static final String CUSTOMER = "X01EXAMPLEX";
    static final String PRODUCT = "n0123EXAMPLEXXXXXXXXXXXX";

    /** "Each message in the aws-mp-subscription-notification topic has the following format." */
    static String subscriptionMessage(String action) {
        return "{ \"action\": \"" + action + "\", \"customer-identifier\": \" X01EXAMPLEX\", \"product-code\": "
                + "\"n0123EXAMPLEXXXXXXXXXXXX\", \"offer-identifier\": \"offer-abcexample123\", "
                + "\"isFreeTrialTermPresent\":\"true\" }";
    }

    /** The Developer Guide's example Notification, with {@code message} and {@code messageId} in it, unsigned. */
    static Map<String, String> envelope(String messageId, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "Notification");
        m.put("MessageId", messageId);
        m.put("TopicArn", TOPIC);
        m.put("Subject", "My First Message");
        m.put("Message", message);
        m.put("Timestamp", "2012-05-02T00:54:06.655Z");
        m.put("SignatureVersion", "1");
        m.put("UnsubscribeURL", "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                + "arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96");
        return m;
    }
}

package io.marketbill.notification.mail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the preview fills a template with. */
final class SampleFacts {

    private SampleFacts() {
    }

    static Map<String, Object> of(MailType type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("organizationId", "org-sample");
        m.put("organizationName", "Sample Org");
        m.put("marketplace", "aliyun");
        m.put("accountId", "1880000000000001");
        m.put("instanceId", "ORDER-1001");
        m.put("previousInstanceId", "ORDER-1000");
        m.put("reason", "SUBSCRIPTION_CLOSED");
        m.put("occurredAt", "2026-11-23T08:00:00Z");
        m.put("deleteAt", "2026-11-26T09:00:00Z");
        m.put("exceptTrial", true);
        m.put("trial", false);
        m.put("subscriptionId", "aliyun:ORDER-1001");
        m.put("dimension", "cu_hours");
        m.put("hourStart", "2026-11-23T08:00:00Z");
        m.put("units", 1870);
        m.put("amount", "1.87");
        m.put("deadline", "2026-11-23T09:59:00Z");
        m.put("ledgerId", 42);
        // a close that stops the deployments unless another subscription is bound within the switch grace period
        m.put("closeAction", "STOP_DEPLOYMENTS");
        m.put("closeActionAt", "2026-11-23T09:00:00Z");
        switch (type) {
            // workspaces that fell back to the vendor's billing together, told in one mail
            case BACK_TO_VENDOR_BILLING -> m.put("organizationNames", List.of("Sample Org", "Sample Org (staging)"));
            case DEPLOYMENTS_DELETION_CANCELLED -> m.put("reason", "SUBSCRIPTION_BOUND");
            default -> { }
        }
        return m;
    }
}

package io.marketbill.simulator.aws;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The EventBridge events AWS Marketplace sends a SaaS seller, shaped as the Seller Guide's example bodies
 * (https://docs.aws.amazon.com/marketplace/latest/userguide/notifications-eventbridge.html, "Events for agreements" and
 * "Events for licenses"; https://docs.aws.amazon.com/marketplace/latest/userguide/saas-eventbridge-integration.html):
 * source {@code aws.agreement-marketplace}, region us-east-1 (the only region these events are sent in), and
 * <ul>
 *   <li>License Updated / License Deprovisioned: {@code product{code,id}}, {@code license{arn}} (the ARN as the examples
 *       write it, without {@code arn:}), {@code acceptor{accountId}} and {@code agreement{id}};</li>
 *   <li>Purchase Agreement Created / Ended: {@code agreement{id,status}}, {@code acceptor}, {@code proposer},
 *       {@code offer{id}}, and no product and no license.</li>
 * </ul>
 */
final class EventBridgeEvents {

    /** The seller account the simulator plays (the SNS topic's account). */
    static final String SELLER = "000000000000";

    private EventBridgeEvents() {
    }

    static Map<String, Object> of(String type, AwsMarketplace.Customer c, String status, String role, String id,
                                  Instant at) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("requestId", UUID.nameUUIDFromBytes((id + "request").getBytes()).toString());
        detail.put("catalog", "AWSMarketplace");
        String name;
        String resource;
        switch (type) {
            case "license-updated", "license-deprovisioned" -> {
                name = type.equals("license-updated") ? "License Updated" : "License Deprovisioned";
                detail.put("product", Map.of("code", c.productCode(), "id", "prod-" + Math.abs(c.productCode().hashCode())));
                detail.put("license", Map.of("arn", c.licenseArn().replaceFirst("^arn:", "")));
                detail.put("acceptor", Map.of("accountId", c.accountId()));
                detail.put("agreement", Map.of("id", c.agreementId()));
                resource = c.licenseArn();
            }
            case "agreement-created", "agreement-ended" -> {
                name = type.equals("agreement-created") ? "Purchase Agreement Created" : "Purchase Agreement Ended";
                String s = status != null ? status : type.equals("agreement-created") ? "ACTIVE" : "CANCELLED";
                detail.put("agreement", Map.of("id", c.agreementId(), "status", s));
                detail.put("acceptor", Map.of("accountId", c.accountId()));
                detail.put("proposer", Map.of("accountId", SELLER));
                detail.put("offer", Map.of("id", "offer-" + Math.abs(c.productCode().hashCode())));
                resource = "arn:aws:aws-marketplace:us-east-1:" + SELLER + ":AWSMarketplace/Agreement/" + c.agreementId();
            }
            default -> throw new IllegalArgumentException("unknown EventBridge event type " + type
                    + ": license-updated, license-deprovisioned, agreement-created, agreement-ended");
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", id);
        event.put("detail-type", name + " - " + role);
        event.put("source", "aws.agreement-marketplace");
        event.put("account", SELLER);
        event.put("time", at.truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", "us-east-1");
        event.put("resources", List.of(resource));
        event.put("detail", detail);
        return event;
    }
}

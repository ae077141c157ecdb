package io.marketbill.simulator.aws;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the simulated AWS Marketplace delivers EventBridge events, as an EventBridge API destination would.
 *
 * @param url        the target (default {@code simulator.aws.gateway-url} + {@code /marketplace/aws/events})
 * @param headerName the API-destination connection's API-key header (default {@code x-marketbill-eventbridge-key}, the
 *                   gateway's default)
 * @param secret     its value (default {@code local-eventbridge-key})
 */
@ConfigurationProperties("simulator.aws.eventbridge")
record EventBridgeProperties(String url, String headerName, String secret) {
    EventBridgeProperties {
        headerName = headerName == null || headerName.isBlank() ? "x-marketbill-eventbridge-key" : headerName;
        secret = secret == null ? "local-eventbridge-key" : secret;
    }
}

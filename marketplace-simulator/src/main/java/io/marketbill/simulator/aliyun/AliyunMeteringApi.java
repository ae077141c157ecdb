package io.marketbill.simulator.aliyun;

import io.marketbill.protocols.aliyun.AliyunMeteringKey;
import io.marketbill.protocols.aliyun.AliyunRpcSignature;
import io.marketbill.simulator.faults.FaultKind;
import io.marketbill.simulator.faults.Faults;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Market OpenAPI {@code PushMeteringData} (2015-11-01) at {@code /aliyun/market}, enforcing what spec §1.7
 * documents: the RPC signature, at most 100 records, one product per batch, windows over 5 minutes, one
 * request per 60 s per instance, {@code meteringAssit} present, the deadline (an hour's data by the end of
 * the next hour's 59th minute). Each entity is billed as the listing prices its billing item
 * ({@code simulator.aliyun.prices}), after the conversion Alibaba documents for its key ({@link AliyunMeteringKey}:
 * {@code Period} seconds per hour, {@code Storage} bytes per MB, ...), the fee keeping two decimals and dropping the
 * rest. A key that is not documented, or a billing item that is not one of the instance's product and that key, is
 * refused (the item ids are {@code <product code>-<Key>-<n>}, per the same documentation). {@code GET
 * /sim/aliyun/metering} lists what was billed.
 */
@RestController
class AliyunMeteringApi {

    /** One accepted entity of one record, with its fee in yuan when the listing prices its billing item. */
    record Billed(String requestId, String instanceId, long startTime, long endTime, String key, long value,
                  String meteringAssit, BigDecimal fee, Instant receivedAt) {
    }

    private final AliyunMarketplace marketplace;
    private final String accessKeyId;
    private final String accessKeySecret;
    private final Map<String, BigDecimal> pricePerUnitYuan;
    private final Clock clock;
    private final Duration flowControl;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Instant> lastPushByInstance = new ConcurrentHashMap<>();
    private final Set<String> nonces = Collections.synchronizedSet(new HashSet<>());
    private final List<Billed> billed = Collections.synchronizedList(new ArrayList<>());
    private final List<Map<String, Object>> refusals = Collections.synchronizedList(new ArrayList<>());
    private final List<Billed> notBilled = Collections.synchronizedList(new ArrayList<>());
    private final Faults faults;
    private static final Set<FaultKind> ALIYUN_FAULTS = Set.of(FaultKind.THROTTLING, FaultKind.SERVER_ERROR,
            FaultKind.TIMEOUT, FaultKind.LOST_ANSWER);

    AliyunMeteringApi(AliyunMarketplace marketplace,
                      @Value("${simulator.aliyun.access-key-id:local-aliyun-key}") String accessKeyId,
                      @Value("${simulator.aliyun.access-key-secret:local-aliyun-secret}") String accessKeySecret,
                      // one request per instance per 60 s on the real service; shorter only for tests
                      @Value("${simulator.aliyun.flow-control-interval:60s}") Duration flowControl,
                      org.springframework.core.env.Environment env, Faults faults) {
        this.faults = faults;
        // simulator.aliyun.prices.<meteringAssit>=<yuan per unit>, e.g. cmapi00060317-PeriodMin-4=0.02
        Map<String, String> prices = org.springframework.boot.context.properties.bind.Binder.get(env)
                .bind("simulator.aliyun.prices", org.springframework.boot.context.properties.bind.Bindable
                        .mapOf(String.class, String.class)).orElse(Map.of());
        this.marketplace = marketplace;
        this.accessKeyId = accessKeyId;
        this.accessKeySecret = accessKeySecret;
        Map<String, BigDecimal> p = new LinkedHashMap<>();
        prices.forEach((k, v) -> p.put(k, new BigDecimal(v)));
        this.pricePerUnitYuan = p;
        this.clock = Clock.systemUTC();
        this.flowControl = flowControl;
    }

    private static final class Refused extends RuntimeException {
        final int status;
        final String code;

        Refused(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    // also with the trailing slash Alibaba's SDKs put before the query ({@code <endpoint>/?Action=...})
    @RequestMapping(path = {"/aliyun/market", "/aliyun/market/"}, method = {RequestMethod.GET, RequestMethod.POST})
    ResponseEntity<Map<String, Object>> api(HttpServletRequest request, HttpServletResponse response) {
        String requestId = UUID.randomUUID().toString().toUpperCase();
        Map<String, String> params = new LinkedHashMap<>();
        request.getParameterMap().forEach((k, v) -> params.put(k, v[0]));
        try {
            authenticate(request.getMethod(), params);
            if (!"PushMeteringData".equals(params.get("Action"))) {
                throw new Refused(400, "InvalidAction.NotFound", "not simulated: " + params.get("Action"));
            }
            java.util.Optional<Faults.Fired> fault = faults.next("aliyun", ALIYUN_FAULTS);
            if (fault.isPresent()) {
                switch (fault.get().kind()) {
                    // the code PushMeteringData documents for calls too close together
                    case THROTTLING -> throw new Refused(400, "Service.Flow.Control", "Flow control (fault injection, rule "
                            + fault.get().ruleId() + ")");
                    // Alibaba Cloud's common error of an OpenAPI call that failed on the service's side
                    case SERVER_ERROR -> throw new Refused(500, "InternalError", "The request processing has failed due "
                            + "to some unknown error (fault injection, rule " + fault.get().ruleId() + ")");
                    case TIMEOUT -> Faults.sleep(fault.get().delay());
                    default -> { }
                }
            }
            push(requestId, params.get("Metering"));
            if (fault.isPresent() && fault.get().kind() == FaultKind.LOST_ANSWER) {
                Faults.cutOff(response, "application/json");
                return null;
            }
            Map<String, Object> ok = new LinkedHashMap<>();
            ok.put("Success", true);
            ok.put("RequestId", requestId);
            return ResponseEntity.ok(ok);
        } catch (Refused r) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("RequestId", requestId);
            body.put("Code", r.code);
            body.put("Message", r.getMessage());
            body.put("Success", false);
            Map<String, Object> seen = new LinkedHashMap<>(body);
            seen.put("at", Instant.now().toString());
            refusals.add(seen);
            return ResponseEntity.status(r.status).body(body);
        }
    }

    private void authenticate(String method, Map<String, String> p) {
        if (!accessKeyId.equals(p.get("AccessKeyId"))) {
            throw new Refused(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        }
        if (!"HMAC-SHA1".equals(p.get("SignatureMethod")) || !"1.0".equals(p.get("SignatureVersion"))
                || !"2015-11-01".equals(p.get("Version"))) {
            throw new Refused(400, "MissingParameter", "SignatureMethod, SignatureVersion and Version are required");
        }
        if (!AliyunRpcSignature.verify(method, p, accessKeySecret)) {
            throw new Refused(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
        }
        Instant at;
        try {
            at = Instant.parse(p.getOrDefault("Timestamp", ""));
        } catch (RuntimeException e) {
            throw new Refused(400, "InvalidTimeStamp.Format", "Timestamp must be yyyy-MM-ddTHH:mm:ssZ");
        }
        if (Duration.between(at, clock.instant()).abs().compareTo(Duration.ofMinutes(15)) > 0) {
            throw new Refused(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
        }
        if (!nonces.add(p.getOrDefault("SignatureNonce", ""))) {
            throw new Refused(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
        }
    }

    private void push(String requestId, String metering) {
        JsonNode records;
        try {
            records = json.readTree(metering == null ? "" : metering);
        } catch (JacksonException e) {
            throw new Refused(400, "Invalid.Parameter.Metering", "Metering must be valid JSON");
        }
        if (records == null || !records.isArray() || records.isEmpty()) {
            throw new Refused(400, "Invalid.Parameter.Metering", "Metering must be a non-empty JSON array");
        }
        if (records.size() > 100) {
            throw new Refused(400, "Metering.Data.Exceeded", "at most 100 records per request");
        }
        Instant now = clock.instant();
        Set<String> products = new HashSet<>();
        Set<String> instancesInBatch = new HashSet<>();
        List<Billed> accepted = new ArrayList<>();
        List<Billed> unbilled = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (JsonNode r : records) {
            String instance = r.path("InstanceId").asString("");
            String product = marketplace.productOf(instance).orElseThrow(() -> new Refused(400,
                    "Invalid.Parameter.Instance", "instance " + instance + " is not a marketplace instance"));
            products.add(product);
            instancesInBatch.add(instance);
            long start = Long.parseLong(r.path("StartTime").asString("0"));
            long end = Long.parseLong(r.path("EndTime").asString("0"));
            if (end - start <= 300) {
                throw new Refused(400, "Invalid.Parameter.Metering", "EndTime - StartTime must be over 5 minutes");
            }
            Instant deadline = Instant.ofEpochSecond(start).truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(119));
            if (now.isAfter(deadline)) {
                throw new Refused(400, "Invalid.Parameter.Metering", "data for " + Instant.ofEpochSecond(start)
                        + " arrived after its deadline " + deadline);
            }
            for (JsonNode e : r.path("Entities")) {
                String assit = e.path("meteringAssit").asString("");
                if (assit.isBlank()) {
                    throw new Refused(400, "Invalid.Parameter.Metering", "meteringAssit is empty");
                }
                String keyName = e.path("Key").asString("");
                AliyunMeteringKey key = AliyunMeteringKey.of(keyName).orElseThrow(() -> new Refused(400,
                        "Invalid.Parameter.Metering", "Key " + keyName + " is not a metering key"));
                // UNVERIFIED: the code and wording of Alibaba's answer to a billing item of another product or key
                if (!key.isItemOf(product, assit)) {
                    throw new Refused(400, "Invalid.Parameter.Metering", "meteringAssit " + assit
                            + " is not a billing item of product " + product + " and key " + keyName);
                }
                long value;
                try {
                    value = Long.parseLong(e.path("Value").asString(""));
                } catch (NumberFormatException x) {
                    throw new Refused(400, "Invalid.Parameter.Metering", "Value must be an integer");
                }
                if (value < 0) {
                    throw new Refused(400, "Invalid.Parameter.Metering", "Value must not be negative");
                }
                keys.add(instance + "|" + assit + "|" + start);
                // [ALI-PUSH] usage after an instance has expired is not billed (the documentation's example: expired
                // at 12:20, the 13:00-14:00 record is not billed), https://help.aliyun.com/document_detail/153320.htm;
                // the call still succeeds. A record that starts before the expiry is billed (UNVERIFIED for the
                // record that spans it); a released instance is treated alike
                java.util.Optional<Instant> ended = marketplace.endOf(instance);
                if (ended.isPresent() && !Instant.ofEpochSecond(start).isBefore(ended.get())) {
                    unbilled.add(new Billed(requestId, instance, start, end, keyName, value, assit, BigDecimal.ZERO, now));
                    continue;
                }
                BigDecimal price = pricePerUnitYuan.get(assit);
                BigDecimal fee = price == null ? null : key.fee(value, price);
                accepted.add(new Billed(requestId, instance, start, end, keyName, value, assit, fee, now));
            }
        }
        java.util.Optional<Faults.Poison> poison = faults.poisoned("aliyun", keys);
        if (poison.isPresent()) {
            throw new Refused(400, "Invalid.Parameter.Metering", "fault injection (rule " + poison.get().ruleId()
                    + "): record " + poison.get().key() + " is refused");
        }
        if (products.size() > 1) {
            throw new Refused(400, "Invalid.Parameter.Metering", "all instances of a batch must belong to one product");
        }
        for (String instance : instancesInBatch) {
            Instant last = lastPushByInstance.get(instance);
            if (last != null && Duration.between(last, now).compareTo(flowControl) < 0) {
                throw new Refused(400, "Service.Flow.Control", "one request per instance per " + flowControl.toSeconds() + " seconds");
            }
        }
        instancesInBatch.forEach(i -> lastPushByInstance.put(i, now));
        billed.addAll(accepted);
        notBilled.addAll(unbilled);
    }

    /**
     * What was billed, refused and accepted without a charge. A simulator-only inspection API: the real China Market
     * API documents no call that lists pushed metering.
     */
    @GetMapping("/sim/aliyun/metering")
    Map<String, Object> metering() {
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (billed) {
            out.put("billed", List.copyOf(billed));
        }
        synchronized (refusals) {
            out.put("refused", List.copyOf(refusals));
        }
        synchronized (notBilled) {
            out.put("notBilled", List.copyOf(notBilled));
        }
        return out;
    }
}

package io.marketbill.gateway.usage;

import io.marketbill.contracts.InvalidUsageException;
import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UsageRecorded;
import io.marketbill.gateway.protection.TokenBuckets;
import io.marketbill.gateway.publishing.LifecycleEventPublisher;
import io.marketbill.messaging.usage.UsageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /api/usage}: usage producers post CloudEvents (one, or a batch); each valid event goes to
 * {@code usage.v1} in its canonical form, and the answer comes only once Kafka acknowledged them all (acks=all).
 * Events are judged by {@link UsageCodec}, as billing-service judges them, so both refuse the same events for the
 * same reasons; an invalid event of a batch does not hold back the valid ones.
 */
@RestController
class UsageController {

    private static final Logger log = LoggerFactory.getLogger(UsageController.class);

    static final MediaType STRUCTURED = MediaType.parseMediaType("application/cloudevents+json");
    static final MediaType BATCH = MediaType.parseMediaType("application/cloudevents-batch+json");
    /** The CloudEvents Kafka binding's header for an event in structured mode. */
    static final String KAFKA_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
    /** A body declared up to this many times the limit is read and discarded before the 413 (see below). */
    static final int DRAIN_FACTOR = 4;

    private final UsageCodec codec = new UsageCodec();
    private final LifecycleEventPublisher publisher;
    private final UsageCounts counts;
    private final TokenBuckets rateLimit;
    private final long maxBody;
    private final int maxBatch;

    UsageController(UsageProperties props, LifecycleEventPublisher publisher, UsageCounts counts) {
        this.publisher = publisher;
        this.counts = counts;
        this.rateLimit = new TokenBuckets(props.rateLimit().perSecond(), props.rateLimit().burst(), 10_000);
        this.maxBody = props.maxBody().toBytes();
        this.maxBatch = props.maxBatch();
    }

    @PostMapping(UsageSecurity.PATH)
    Mono<ResponseEntity<Map<String, Object>>> post(ServerWebExchange exchange) {
        // UsageSecurity let only authenticated producers through
        return exchange.getPrincipal()
                .map(principal -> (UsageProducers.Producer) ((Authentication) principal).getPrincipal())
                .flatMap(producer -> receive(producer, exchange))
                .switchIfEmpty(Mono.fromSupplier(() -> error(HttpStatus.UNAUTHORIZED, "unauthorized",
                        "a usage producer's API key is required")));
    }

    private Mono<ResponseEntity<Map<String, Object>>> receive(UsageProducers.Producer producer,
                                                              ServerWebExchange exchange) {
        String name = producer.name();
        if (!rateLimit.tryAcquire(name, System.nanoTime())) {
            counts.rejected(name, "rate_limited", 1);
            return Mono.just(ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header("Retry-After", "1")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(errorBody("rate_limited", "too many requests from this producer; retry later")));
        }
        ServerHttpRequest request = exchange.getRequest();
        Boolean batch = isBatch(request);
        if (batch == null) {
            counts.rejected(name, "unsupported_media_type", 1);
            return Mono.just(error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Content-Type must be application/cloudevents+json, application/cloudevents-batch+json "
                            + "or application/json (UTF-8)"));
        }
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBody) {
            counts.rejected(name, "payload_too_large", 1);
            // closing a socket with unread bytes makes the kernel reset it, and the client may never see the 413
            Mono<Void> drained = declared <= maxBody * DRAIN_FACTOR
                    ? request.getBody().doOnNext(DataBufferUtils::release).then() : Mono.empty();
            return drained.then(Mono.fromSupplier(() -> tooLarge()));
        }
        return DataBufferUtils.join(request.getBody(), (int) maxBody)
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0])
                // a batch of a megabyte takes milliseconds to judge: not on the event loop
                .publishOn(Schedulers.parallel())
                .flatMap(body -> batch ? batch(producer, body) : single(producer, body))
                .onErrorResume(DataBufferLimitException.class, e -> {
                    counts.rejected(name, "payload_too_large", 1);
                    return Mono.just(tooLarge());
                });
    }

    /** true: a batch, false: one event, null: not a content type for usage. */
    private static Boolean isBatch(ServerHttpRequest request) {
        MediaType type;
        try {
            type = request.getHeaders().getContentType();
        } catch (InvalidMediaTypeException e) {
            return null;
        }
        if (type == null || (type.getCharset() != null && !StandardCharsets.UTF_8.equals(type.getCharset()))) {
            return null;
        }
        if (type.equalsTypeAndSubtype(BATCH)) {
            return true;
        }
        return type.equalsTypeAndSubtype(STRUCTURED) || type.equalsTypeAndSubtype(MediaType.APPLICATION_JSON)
                ? false : null;
    }

    private Mono<ResponseEntity<Map<String, Object>>> single(UsageProducers.Producer producer, byte[] body) {
        UsageRecorded usage;
        try {
            usage = codec.decode(new String(body, StandardCharsets.UTF_8));
        } catch (InvalidUsageException e) {
            counts.rejected(producer.name(), e.reason(), 1);
            return Mono.just(error(HttpStatus.BAD_REQUEST, e.reason(), e.getMessage()));
        }
        if (!producer.mayUse(usage.source())) {
            counts.rejected(producer.name(), "source_not_allowed", 1);
            return Mono.just(error(HttpStatus.FORBIDDEN, "source_not_allowed", sourceNotAllowed(usage.source())));
        }
        return publish(producer, List.of(usage), List.of());
    }

    private Mono<ResponseEntity<Map<String, Object>>> batch(UsageProducers.Producer producer, byte[] body) {
        List<UsageCodec.Decoded> decoded;
        try {
            decoded = codec.decodeBatch(body);
        } catch (InvalidUsageException e) {
            counts.rejected(producer.name(), e.reason(), 1);
            return Mono.just(error(HttpStatus.BAD_REQUEST, e.reason(), e.getMessage()));
        }
        if (decoded.size() > maxBatch) {
            counts.rejected(producer.name(), "too_many_events", 1);
            return Mono.just(error(HttpStatus.PAYLOAD_TOO_LARGE, "too_many_events",
                    "a batch holds at most " + maxBatch + " events; this one has " + decoded.size()));
        }
        if (decoded.isEmpty()) {
            counts.rejected(producer.name(), "empty_batch", 1);
            return Mono.just(error(HttpStatus.BAD_REQUEST, "empty_batch", "the batch holds no event"));
        }
        List<UsageRecorded> valid = new ArrayList<>();
        List<Map<String, Object>> rejected = new ArrayList<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (UsageCodec.Decoded d : decoded) {
            String reason = d.reason();
            String message = d.message();
            if (d.valid() && !producer.mayUse(d.usage().source())) {
                reason = "source_not_allowed";
                message = sourceNotAllowed(d.usage().source());
            } else if (d.valid()) {
                valid.add(d.usage());
                continue;
            }
            reasons.merge(reason, 1, Integer::sum);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("index", d.index());
            r.put("id", d.id());
            r.put("reason", reason);
            r.put("message", message);
            rejected.add(r);
        }
        reasons.forEach((reason, n) -> counts.rejected(producer.name(), reason, n));
        if (valid.isEmpty()) {
            return Mono.just(ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON)
                    .body(result(0, rejected)));
        }
        return publish(producer, valid, rejected);
    }

    /** 202 only once every valid event is durable; otherwise 503 and the producer sends them again. */
    private Mono<ResponseEntity<Map<String, Object>>> publish(UsageProducers.Producer producer,
                                                              List<UsageRecorded> valid,
                                                              List<Map<String, Object>> rejected) {
        List<ProducerRecord<String, String>> records = new ArrayList<>(valid.size());
        for (UsageRecorded u : valid) {
            ProducerRecord<String, String> record = new ProducerRecord<>(Topics.USAGE, u.key(), codec.encode(u));
            record.headers().add("content-type", KAFKA_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
            records.add(record);
        }
        return publisher.publishAll(records, "UsageRecorded")
                .then(Mono.fromSupplier(() -> {
                    counts.accepted(producer.name(), valid.size());
                    log.debug("usage from {}: {} accepted, {} rejected", producer.name(), valid.size(), rejected.size());
                    return ResponseEntity.status(HttpStatus.ACCEPTED).contentType(MediaType.APPLICATION_JSON)
                            .body(result(valid.size(), rejected));
                }))
                .onErrorResume(e -> {
                    counts.unavailable(producer.name(), valid.size());
                    log.warn("usage from {}: {} events not durable on {}, answering 503: {}", producer.name(),
                            valid.size(), Topics.USAGE, e.toString());
                    return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5")
                            .contentType(MediaType.APPLICATION_JSON)
                            .body(errorBody("unavailable", "the usage could not be made durable; send it again later "
                                    + "(events already received are recognized by source and id)")));
                });
    }

    private ResponseEntity<Map<String, Object>> tooLarge() {
        return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE).header("Connection", "close")
                .contentType(MediaType.APPLICATION_JSON)
                .body(errorBody("payload_too_large", "the body is over " + maxBody + " bytes"));
    }

    private static String sourceNotAllowed(String source) {
        return "this producer may not post events of source " + source;
    }

    private static Map<String, Object> result(int accepted, List<Map<String, Object>> rejected) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", accepted);
        body.put("rejected", rejected);
        return body;
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String reason, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(errorBody(reason, message));
    }

    private static Map<String, Object> errorBody(String reason, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", reason);
        body.put("message", message);
        return body;
    }
}

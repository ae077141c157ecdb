package io.marketbill.gateway.aliyun;

import org.springframework.http.HttpStatus;

/** A marketplace call refused before anything happened: its status, a stable reason code and a message. */
class SpiRejection extends RuntimeException {

    final HttpStatus status;
    final String reason;

    SpiRejection(HttpStatus status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
    }
}

package io.marketbill.binding.bindings;

import org.springframework.http.HttpStatus;

/**
 * Why a binding decision said no. The code is the API's {@code error}; the page and the API word it in the user's
 * language from {@code messages*.properties} ({@code refusal.<code>} and {@code refusal.<code>.next}, what the user
 * can do next).
 */
public enum Refusal {
    INVALID_TICKET(HttpStatus.FORBIDDEN),
    /** A front-end URL (前台地址) whose signature is not the gateway's for its instance. */
    INVALID_FRONT_END_LINK(HttpStatus.FORBIDDEN),
    SUBSCRIPTION_UNKNOWN(HttpStatus.NOT_FOUND),
    SUBSCRIPTION_NOT_BINDABLE(HttpStatus.CONFLICT),
    PRODUCT_NOT_CONFIGURED(HttpStatus.CONFLICT),
    PROOF_NOT_ACCEPTED(HttpStatus.BAD_REQUEST),
    ACCOUNT_MISMATCH(HttpStatus.FORBIDDEN),
    /**
     * A RAM user's sign-in name typed as the account id ({@link AccountAndInstanceProof}): the message names the main
     * account's UID ({@code {0}}) to type instead.
     */
    RAM_ACCOUNT(HttpStatus.UNPROCESSABLE_CONTENT),
    NO_ORGANIZATION(HttpStatus.CONFLICT),
    NOT_A_MEMBER(HttpStatus.FORBIDDEN),
    /** 权限不足: a member, not an admin (R7). */
    INSUFFICIENT_PERMISSION(HttpStatus.FORBIDDEN),
    /** 已绑定云市场订阅: the organization, or the subscription, is already bound (R7). */
    ALREADY_BOUND(HttpStatus.CONFLICT),
    /** EMQX (R8): the account or the organization is linked to another. */
    ACCOUNT_LINKED_ELSEWHERE(HttpStatus.CONFLICT),
    NOT_BOUND(HttpStatus.NOT_FOUND),
    /** Too many wrong proofs lately, by the user or for the organization ({@link BindAttempts}). */
    TOO_MANY_ATTEMPTS(HttpStatus.TOO_MANY_REQUESTS);

    private final HttpStatus status;

    Refusal(HttpStatus status) {
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return name().toLowerCase();
    }
}

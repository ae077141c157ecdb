package io.marketbill.binding.bindings;

import io.marketbill.contracts.SubscriptionIds;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The typed half of Guance's proof (R8, R18): the Alibaba Cloud account id and the 商品实例 ID, as a buyer types them
 * into the API's body or the billing-center form, normalized and checked before anything is looked up. The API and
 * the form check in this one order, so that the same input gets the same answer from both:
 * <ol>
 * <li>the instance id is given, and stripped it is 1-128 characters, printable ASCII without spaces (what a
 * subscription id may hold: {@link SubscriptionIds});</li>
 * <li>the account id is given (stripped);</li>
 * <li>it is not a RAM user's sign-in name ({@code user@<UID>.onaliyun.com}): the subscription names the main
 * account's UID, so a sub-account's name can never match, and the buyer is told the UID to type instead.</li>
 * </ol>
 * Whether the two match a purchase is {@link Bindings#bind}'s, which answers a wrong account and an unknown instance
 * alike.
 */
public final class AccountAndInstanceProof {

    /** The instance ids the marketplace hands out fit well within this; longer is no instance id. */
    public static final int MAX_INSTANCE_ID_LENGTH = 128;

    /**
     * How the console shows a RAM user's sign-in name: {@code <user>@<main account UID>.onaliyun.com} (the part before
     * the @ is the RAM user's own name, which this service never needs).
     */
    private static final Pattern RAM_SIGN_IN_NAME = Pattern.compile("[^@\\s]+@(\\d+)\\.onaliyun\\.com");

    /** What is wrong with the typed values; its code is the form's message key ({@code proof.<code>}). */
    public enum Problem {
        INSTANCE_ID_MISSING("instanceId is required"),
        INSTANCE_ID_TOO_LONG("instanceId must be 1-" + MAX_INSTANCE_ID_LENGTH + " characters"),
        INSTANCE_ID_MALFORMED("instanceId must be printable ASCII without spaces"),
        ACCOUNT_ID_MISSING("marketplaceAccountId is required");

        private final String apiMessage;

        Problem(String apiMessage) {
            this.apiMessage = apiMessage;
        }

        /** The API's {@code invalid_request} message (English, like the API's other request errors). */
        public String apiMessage() {
            return apiMessage;
        }

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The outcome of {@link #check}. */
    public sealed interface Outcome {
    }

    /** Both values usable: stripped, and the subscription id the instance id names. */
    public record Valid(String accountId, String instanceId) implements Outcome {
        public String subscriptionId() {
            return SubscriptionIds.aliyun(instanceId);
        }
    }

    /** Malformed input: the request is bad, nothing is looked up. */
    public record Invalid(Problem problem) implements Outcome {
    }

    /**
     * A RAM user's sign-in name where the main account id belongs: refused with {@link Refusal#RAM_ACCOUNT}, naming
     * the UID in it ({@code mainAccountId}) as what to type instead.
     */
    public record RamAccount(String mainAccountId) implements Outcome {
        public Refusal refusal() {
            return Refusal.RAM_ACCOUNT;
        }

        /** The refusal's detail, as the API shows it. */
        public String detail() {
            return "a RAM user's sign-in name: enter the main account's UID " + mainAccountId;
        }
    }

    private AccountAndInstanceProof() {
    }

    public static Outcome check(String accountId, String instanceId) {
        String instance = instanceId == null ? "" : instanceId.strip();
        if (instance.isEmpty()) {
            return new Invalid(Problem.INSTANCE_ID_MISSING);
        }
        if (instance.length() > MAX_INSTANCE_ID_LENGTH) {
            return new Invalid(Problem.INSTANCE_ID_TOO_LONG);
        }
        if (!instance.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return new Invalid(Problem.INSTANCE_ID_MALFORMED);
        }
        String account = accountId == null ? "" : accountId.strip();
        if (account.isEmpty()) {
            return new Invalid(Problem.ACCOUNT_ID_MISSING);
        }
        // the console's domain is case-insensitive, as browsers autofill it
        Matcher ram = RAM_SIGN_IN_NAME.matcher(account.toLowerCase(Locale.ROOT));
        if (ram.matches()) {
            return new RamAccount(ram.group(1));
        }
        return new Valid(account, instance);
    }
}

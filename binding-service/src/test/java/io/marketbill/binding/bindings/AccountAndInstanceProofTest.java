package io.marketbill.binding.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.binding.bindings.AccountAndInstanceProof.Invalid;
import io.marketbill.binding.bindings.AccountAndInstanceProof.Problem;
import io.marketbill.binding.bindings.AccountAndInstanceProof.RamAccount;
import io.marketbill.binding.bindings.AccountAndInstanceProof.Valid;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The typed account id and instance id, checked in the order the API and the billing-center form share. */
class AccountAndInstanceProofTest {

    @Test
    void goodValuesAreStrippedAndNameTheAliyunSubscription() {
        assertThat(AccountAndInstanceProof.check(" 1880000000000001\t", "  cmgj-INST-1 "))
                .isEqualTo(new Valid("1880000000000001", "cmgj-INST-1"));
        assertThat(((Valid) AccountAndInstanceProof.check("1880", "I-1")).subscriptionId()).isEqualTo("aliyun:I-1");
    }

    @Test
    void theInstanceIdIsCheckedFirstThenTheAccountId() {
        assertThat(AccountAndInstanceProof.check(null, null)).isEqualTo(new Invalid(Problem.INSTANCE_ID_MISSING));
        assertThat(AccountAndInstanceProof.check("alice@1880.onaliyun.com", "  "))
                .isEqualTo(new Invalid(Problem.INSTANCE_ID_MISSING));
        assertThat(AccountAndInstanceProof.check("", "x".repeat(129)))
                .isEqualTo(new Invalid(Problem.INSTANCE_ID_TOO_LONG));
        assertThat(AccountAndInstanceProof.check("1880", " " + "x".repeat(128) + " ")).isInstanceOf(Valid.class);
        assertThat(AccountAndInstanceProof.check("1880", "I 1")).isEqualTo(new Invalid(Problem.INSTANCE_ID_MALFORMED));
        assertThat(AccountAndInstanceProof.check("1880", "实例-1")).isEqualTo(new Invalid(Problem.INSTANCE_ID_MALFORMED));
        assertThat(AccountAndInstanceProof.check(" ", "I-1")).isEqualTo(new Invalid(Problem.ACCOUNT_ID_MISSING));
        assertThat(AccountAndInstanceProof.check(null, "I-1")).isEqualTo(new Invalid(Problem.ACCOUNT_ID_MISSING));
    }

    @Test
    void aRamUsersSignInNameIsRefusedNamingTheMainAccountsUid() {
        RamAccount ram = (RamAccount) AccountAndInstanceProof.check(" ops.bob@1880000000000001.onaliyun.com ", "I-1");
        assertThat(ram.mainAccountId()).isEqualTo("1880000000000001");
        assertThat(ram.refusal()).isEqualTo(Refusal.RAM_ACCOUNT);
        assertThat(ram.refusal().status().value()).isEqualTo(422);
        assertThat(ram.detail()).contains("1880000000000001");
        assertThat(AccountAndInstanceProof.check("Bob@1880.OnAliyun.com", "I-1")).isEqualTo(new RamAccount("1880"));
        // not a RAM sign-in name: left to the binding, which answers them as a wrong account
        assertThat(AccountAndInstanceProof.check("bob@example.com", "I-1")).isInstanceOf(Valid.class);
        assertThat(AccountAndInstanceProof.check("@1880.onaliyun.com", "I-1")).isInstanceOf(Valid.class);
        assertThat(AccountAndInstanceProof.check("bob@alias.onaliyun.com", "I-1")).isInstanceOf(Valid.class);
    }

    /** Every answer of the proof is worded in both languages, with what to do next. */
    @Test
    void everyProblemAndTheRamRefusalAreWordedInBothLanguages() throws Exception {
        for (String file : java.util.List.of("/messages.properties", "/messages_zh_CN.properties")) {
            java.util.Properties p = new java.util.Properties();
            try (var in = new java.io.InputStreamReader(getClass().getResourceAsStream(file),
                    java.nio.charset.StandardCharsets.UTF_8)) {
                p.load(in);
            }
            for (Problem problem : Problem.values()) {
                assertThat(p).as(file).containsKeys("proof." + problem.code(), "proof." + problem.code() + ".next");
            }
            assertThat(p).as(file).containsKeys("proof.organization_missing", "proof.organization_missing.next");
            // the UID is named, and MessageFormat would drop a single quote
            assertThat(p.getProperty("refusal.ram_account")).as(file).contains("{0}").doesNotContain("'");
            assertThat(p.getProperty("refusal.ram_account.next")).as(file).contains("{0}").doesNotContain("'");
        }
    }

    /** Whatever the RAM user's name and the UID, the UID is what the buyer is told to type. */
    @Property
    void everyRamSignInNameNamesItsUid(@ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 30) String user,
                                       @ForAll @NumericChars @StringLength(min = 1, max = 20) String uid,
                                       @ForAll @IntRange(min = 0, max = 3) int spaces) {
        String pad = " ".repeat(spaces);
        assertThat(AccountAndInstanceProof.check(pad + user + "@" + uid + ".onaliyun.com" + pad, "I-1"))
                .isEqualTo(new RamAccount(uid));
    }

    /**
     * Whatever is typed, the outcome is one of the three, and a valid one is stripped, within bounds and names a
     * subscription (no exception reaches the API or the form).
     */
    @Property
    void anyInputIsValidOnlyStrippedAndWithinBounds(@ForAll @StringLength(max = 140) String account,
                                                    @ForAll @StringLength(max = 140) String instance) {
        switch (AccountAndInstanceProof.check(account, instance)) {
            case Valid v -> {
                assertThat(v.instanceId()).isEqualTo(instance.strip()).hasSizeBetween(1, 128);
                assertThat(v.accountId()).isEqualTo(account.strip()).isNotEmpty();
                assertThat(v.subscriptionId()).isEqualTo("aliyun:" + v.instanceId());
            }
            case Invalid i -> assertThat(i.problem()).isNotNull();
            case RamAccount r -> assertThat(account).contains("@" + r.mainAccountId() + ".");
        }
    }

    @Property
    void theInstanceIdDecidesBeforeTheAccountId(@ForAll @StringLength(max = 40) String account,
                                                @ForAll @IntRange(min = 129, max = 300) int length) {
        assertThat(AccountAndInstanceProof.check(account, "i".repeat(length)))
                .isEqualTo(new Invalid(Problem.INSTANCE_ID_TOO_LONG));
        assertThat(AccountAndInstanceProof.check(account, " ".repeat(length % 5)))
                .isEqualTo(new Invalid(Problem.INSTANCE_ID_MISSING));
    }
}

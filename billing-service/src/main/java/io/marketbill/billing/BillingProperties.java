package io.marketbill.billing;

import io.marketbill.protocols.aws.AwsAccount;
import io.marketbill.protocols.aws.AwsPartition;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code marketbill.billing.*}: when hours close, how long usage is deduplicated, and how each marketplace
 * is reached. Shorter intervals let tests and the demo see hours closed and reported within seconds.
 *
 * @param lateWindow       usage is accepted until this long after the end of its hour; then the hour closes.
 *                         Environment: BILLING_LATE_WINDOW.
 * @param futureSkew       usage stamped further ahead than this is refused ({@code in_the_future})
 * @param dedupeWindow     how long a (source, id) is remembered (at least 32 days, longer than lateWindow)
 * @param closeInterval    how often closed hours are looked for (the scheduler interval). Environment:
 *                         BILLING_CLOSE_INTERVAL.
 * @param reportInterval   how often the ledger is sent. Environment: BILLING_REPORT_INTERVAL.
 * @param sentTimeout      a record SENT this long ago without an answer has an unknown outcome
 * @param initialBackoff   first retry delay of a failed send; doubled per attempt up to maxBackoff
 * @param maxBackoff       longest retry delay
 * @param nearDeadline     records due within this are counted as near their deadline (alert)
 * @param closeMargin      an hour is closed this long after its late window, so that usage accepted just
 *                         before the window ended is committed first
 * @param finalFlushDelay  a closed subscription's last hours are rated this long after SubscriptionClosed, so
 *                         that usage already on its way is counted
 * @param switchWindowLimit usage of an organization between its subscription's close and another's binding within
 *                         the switch grace period is held until binding-service says how the window ended (charged to
 *                         the new subscription, or to the vendor's billing); a window still open this long after the
 *                         close goes to the vendor's billing. Longer than every product's switch grace.
 * @param clockOffset      shifts the billing clock (hours, windows, deadlines); for demos only
 * @param allowEarlyClose  lets an operator close hours before their late window ends (demos, fault tests).
 *                         Environment: BILLING_ALLOW_EARLY_CLOSE.
 * @param aliyun           how Alibaba Cloud Marketplace is sent metering
 * @param aws              how AWS Marketplace is sent metering
 * @param reconciliation   how the ledger is compared with what the marketplaces accepted
 */
@ConfigurationProperties("marketbill.billing")
public record BillingProperties(
        @DefaultValue("10m") Duration lateWindow,
        @DefaultValue("5m") Duration futureSkew,
        @DefaultValue("32d") Duration dedupeWindow,
        @DefaultValue("30s") Duration closeInterval,
        @DefaultValue("10s") Duration reportInterval,
        @DefaultValue("2m") Duration sentTimeout,
        @DefaultValue("5s") Duration initialBackoff,
        @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("30m") Duration nearDeadline,
        @DefaultValue("30s") Duration closeMargin,
        @DefaultValue("2m") Duration finalFlushDelay,
        @DefaultValue("7d") Duration switchWindowLimit,
        @DefaultValue("0s") Duration clockOffset,
        @DefaultValue("false") boolean allowEarlyClose,
        @DefaultValue Aliyun aliyun,
        @DefaultValue Aws aws,
        @DefaultValue Reconciliation reconciliation) {

    public BillingProperties {
        if (dedupeWindow.compareTo(Duration.ofDays(32)) < 0) {
            throw new IllegalArgumentException("marketbill.billing.dedupe-window must be at least 32 days");
        }
        if (lateWindow.isNegative() || lateWindow.compareTo(dedupeWindow) >= 0) {
            throw new IllegalArgumentException("marketbill.billing.late-window must be between 0 and the dedupe window");
        }
    }

    /**
     * Alibaba Cloud Marketplace {@code PushMeteringData} (spec §1.7).
     *
     * @param endpoint        {@code https://market.aliyuncs.com} (China) or the simulator. Environment:
     *                        ALIYUN_MARKET_ENDPOINT.
     * @param accessKeyId     the AccessKey id of the seller's main account for the Market API. Environment:
     *                        ALIYUN_ACCESS_KEY_ID.
     * @param accessKeySecret its AccessKey secret; a secret. Environment: ALIYUN_ACCESS_KEY_SECRET.
     * @param deadline        after the start of an hour, when its data is no longer accepted (data of 08:xx
     *                        must arrive before 09:59)
     * @param reportZeroHours also push hours with nothing to charge
     * @param resendUnknown   resend a push whose outcome is unknown; off by default because Alibaba does not
     *                        document deduplication (UNVERIFIED): reconciliation settles it instead
     * @param timeout         per call to the Market API
     * @param minPushInterval between two pushes for one instance (Alibaba allows one per 60 s)
     * @param renewalEndsTrial a renewal of a trial instance ends its trial: usage after it is charged (UNVERIFIED:
     *                        Alibaba does not document how a trial converts; see TrialRules)
     */
    public record Aliyun(@DefaultValue("https://market.aliyuncs.com") URI endpoint, String accessKeyId,
                         String accessKeySecret, @DefaultValue("119m") Duration deadline,
                         @DefaultValue("false") boolean reportZeroHours, @DefaultValue("false") boolean resendUnknown,
                         @DefaultValue("10s") Duration timeout, @DefaultValue("61s") Duration minPushInterval,
                         @DefaultValue("true") boolean renewalEndsTrial) {
        public boolean configured() {
            return accessKeyId != null && !accessKeyId.isBlank() && accessKeySecret != null && !accessKeySecret.isBlank();
        }

        @Override
        public String toString() {
            // the default would print the AccessKey secret wherever the properties are logged or in an exception
            return "Aliyun[endpoint=" + endpoint + ", accessKeyId=" + accessKeyId + ", accessKeySecret=<hidden>"
                    + ", deadline=" + deadline + ", reportZeroHours=" + reportZeroHours + ", resendUnknown="
                    + resendUnknown + ", timeout=" + timeout + ", minPushInterval=" + minPushInterval
                    + ", renewalEndsTrial=" + renewalEndsTrial + "]";
        }
    }

    /**
     * AWS Marketplace {@code BatchMeterUsage} (spec §2.5): the default seller account (the top-level settings) and
     * any others, by name, that listings name with {@code aws-account} in the products file (a vendor listed on AWS
     * global and AWS China has one account in each partition).
     *
     * @param endpoint        the default account's Metering Service, or the simulator; unset: derived from the
     *                        region ({@code https://metering.marketplace.<region>.amazonaws.com[.cn]}, as the gateway
     *                        does). Environment: AWS_METERING_ENDPOINT.
     * @param region          the default account's region (SigV4); us-east-1 unless set, as in the gateway.
     *                        Environment: AWS_REGION.
     * @param accessKeyId     the default seller account's access key id. Environment: AWS_ACCESS_KEY_ID.
     * @param secretAccessKey that key's secret; a secret. Environment: AWS_SECRET_ACCESS_KEY.
     * @param sessionToken    for temporary credentials, optional. Environment: AWS_SESSION_TOKEN.
     * @param accounts        further seller accounts by name ({@code china}: AWS_CN_REGION, AWS_CN_ACCESS_KEY_ID,
     *                        AWS_CN_SECRET_ACCESS_KEY, AWS_CN_SESSION_TOKEN, AWS_CN_METERING_ENDPOINT)
     * @param deadline        after the start of an hour, until when its record is sent. Unset: per account, 6 hours
     *                        on AWS global (the older documentation; the newest model says 24: we keep the stricter),
     *                        and 1 h 59 min in China, whose guide says "AWS Marketplace can only accept records for up
     *                        to an hour in the past" (awsmpcnsaasguideline, "Report metered records"; UNVERIFIED which
     *                        rule China enforces, so the strict one), the record being stamped with its hour's last
     *                        second
     * @param recordTimestamp the Timestamp of an hour's record: {@code END_OF_HOUR} (its last second, the youngest
     *                        time in the hour, so that a record is at most minutes old when it is first sent and
     *                        China's one-hour rule is kept) or {@code START_OF_HOUR}. AWS buckets records by hour
     *                        either way.
     * @param reportZeroHours AWS asks for a record per customer, dimension and hour, zeros for idle hours
     * @param productCodeWithLicense also send {@code ProductCode} in a call whose records all carry a
     *                        {@code LicenseArn}; off: the newest model has LicenseArn instead of ProductCode (UNVERIFIED
     *                        whether AWS refuses both; a call with a legacy CustomerIdentifier record always has it)
     * @param timeout         per call to AWS
     */
    public record Aws(URI endpoint, @DefaultValue("us-east-1") String region, String accessKeyId,
                      String secretAccessKey, String sessionToken, java.util.Map<String, AwsAccount> accounts,
                      Duration deadline, @DefaultValue("END_OF_HOUR") RecordTimestamp recordTimestamp,
                      @DefaultValue("true") boolean reportZeroHours,
                      @DefaultValue("false") boolean productCodeWithLicense, @DefaultValue("10s") Duration timeout) {

        public enum RecordTimestamp { END_OF_HOUR, START_OF_HOUR }

        /** The account of listings that name none. */
        public static final String DEFAULT_ACCOUNT = AwsAccount.DEFAULT;

        public Aws {
            region = region == null || region.isBlank() ? "us-east-1" : region;
            recordTimestamp = recordTimestamp == null ? RecordTimestamp.END_OF_HOUR : recordTimestamp;
            accounts = AwsAccount.byName(new AwsAccount(region, endpoint, accessKeyId, secretAccessKey, sessionToken),
                    accounts);
            endpoint = accounts.get(DEFAULT_ACCOUNT).meteringEndpoint();
            if (deadline != null && deadline.compareTo(Duration.ofHours(1)) <= 0) {
                throw new IllegalArgumentException("marketbill.billing.aws.deadline must be over one hour: an hour's "
                        + "record can only be sent once the hour is over");
            }
        }

        /** A seller account by name (null: the default one); empty for a name not configured. */
        public java.util.Optional<AwsAccount> account(String name) {
            return java.util.Optional.ofNullable(accounts.get(name == null ? DEFAULT_ACCOUNT : name));
        }

        /** How long after an hour's start its record is still sent, for a listing of this account. */
        public Duration deadline(String accountName) {
            if (deadline != null) {
                return deadline;
            }
            return account(accountName).map(AwsAccount::partition).orElse(AwsPartition.AWS) == AwsPartition.AWS_CN
                    ? Duration.ofMinutes(119) : Duration.ofHours(6);
        }

        /**
         * The Timestamp of the record of the hour starting at {@code hourStart}, rated at {@code ratedAt}: never
         * later than the rating (a final flush rates an hour before it ends, and AWS takes no time in the future),
         * and the same on every send of the record.
         */
        public long timestamp(java.time.Instant hourStart, java.time.Instant ratedAt) {
            if (recordTimestamp == RecordTimestamp.START_OF_HOUR) {
                return hourStart.getEpochSecond();
            }
            return Math.max(hourStart.getEpochSecond(), Math.min(hourStart.getEpochSecond() + 3599,
                    ratedAt.getEpochSecond()));
        }

        /** Whether the default account has credentials. */
        public boolean configured() {
            return accounts.get(DEFAULT_ACCOUNT).configured();
        }

        @Override
        public String toString() {
            return "Aws[accounts=" + accounts + ", deadline=" + deadline + ", recordTimestamp=" + recordTimestamp + "]";
        }
    }

    /**
     * @param interval     how often the ledger is compared with the marketplace's record
     * @param aliyunRecord where the marketplace's record of accepted Alibaba metering is read (the simulator's
     *                     {@code /sim/aliyun/metering}); unset: no Alibaba reconciliation (no query API found).
     *                     Environment: ALIYUN_METERING_RECORD_URL.
     * @param awsRecord    the same for AWS ({@code /sim/aws/metering}). Environment: AWS_METERING_RECORD_URL.
     */
    public record Reconciliation(@DefaultValue("5m") Duration interval, URI aliyunRecord, URI awsRecord) {
        public Reconciliation {
            // an empty setting (an unset environment variable) means: not reconciled
            aliyunRecord = aliyunRecord == null || aliyunRecord.toString().isBlank() ? null : aliyunRecord;
            awsRecord = awsRecord == null || awsRecord.toString().isBlank() ? null : awsRecord;
        }
    }
}

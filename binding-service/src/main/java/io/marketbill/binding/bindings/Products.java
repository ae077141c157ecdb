package io.marketbill.binding.bindings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The vendor's products as binding-service needs them ({@code marketbill.products.<product code>}, the same file
 * every service reads). Checked at start: a product without a binding policy stops the service.
 *
 * @param products the vendor's products by marketplace product code: binding policy, close action, grace periods
 */
@ConfigurationProperties("marketbill")
public record Products(Map<String, Product> products) {

    static final Duration DEFAULT_SWITCH_GRACE = Duration.ofHours(1);
    static final Duration DEFAULT_DELETION_GRACE = Duration.ofDays(3);
    static final Duration DEFAULT_DELETION_REMINDER = Duration.ofDays(1);

    /**
     * @param name                      shown on the binding page
     * @param bindingPolicy             how subscriptions bind to organizations (R8); required
     * @param onClose                   what happens when a bound subscription closes (default per policy)
     * @param switchGrace               how long after a close another subscription may take over with no effect (R15);
     *                                  meanwhile the organization pays through no one ({@code NONE}) and keeps
     *                                  running; {@code 0s}: the close action runs at once (Guance, R14)
     * @param deletionGrace             stopped deployments are deleted after this (R12)
     * @param deletionReminder          how long before the deletion the reminder goes out (R12); shorter than the
     *                                  deletion grace period
     * @param bindsWithAccountAndInstanceId  binding may prove ownership with the marketplace account id plus the
     *                                  instance id instead of a login ticket (Guance, R8); default for that policy
     * @param consoleUrl                where a bound user goes on (R9)
     */
    public record Product(String name, BindingPolicy bindingPolicy, CloseAction onClose, Duration switchGrace,
                          Duration deletionGrace, Duration deletionReminder, Boolean bindsWithAccountAndInstanceId,
                          String consoleUrl) {

        public CloseAction closeAction() {
            return onClose != null ? onClose : bindingPolicy.defaultOnClose();
        }

        public Duration switchGracePeriod() {
            return switchGrace != null ? switchGrace : DEFAULT_SWITCH_GRACE;
        }

        public Duration deletionGracePeriod() {
            return deletionGrace != null ? deletionGrace : DEFAULT_DELETION_GRACE;
        }

        public Duration deletionReminderPeriod() {
            return deletionReminder != null ? deletionReminder : DEFAULT_DELETION_REMINDER;
        }

        /** The close action runs in the close's own transaction: nothing may take over. */
        public boolean closesAtOnce() {
            return switchGracePeriod().isZero();
        }

        public boolean acceptsAccountAndInstanceId() {
            return bindsWithAccountAndInstanceId != null ? bindsWithAccountAndInstanceId
                    : bindingPolicy == BindingPolicy.ACCOUNT_PAYS_FOR_MANY_WORKSPACES;
        }

        public String displayName(String productCode) {
            return name == null || name.isBlank() ? productCode : name;
        }
    }

    public Products {
        products = products == null ? Map.of() : new TreeMap<>(products);
        List<String> problems = new ArrayList<>();
        products.forEach((code, p) -> {
            if (p == null || p.bindingPolicy() == null) {
                problems.add("marketbill.products." + code + ".binding-policy is required (one of "
                        + List.of(BindingPolicy.values()) + ")");
            } else if ((p.switchGrace() != null && p.switchGrace().isNegative())
                    || (p.deletionGrace() != null && p.deletionGrace().isNegative())
                    || (p.deletionReminder() != null && p.deletionReminder().isNegative())) {
                problems.add("marketbill.products." + code + ": grace periods must not be negative");
            } else if (p.closeAction() == CloseAction.STOP_DEPLOYMENTS
                    && p.deletionReminderPeriod().compareTo(p.deletionGracePeriod()) >= 0) {
                problems.add("marketbill.products." + code + ".deletion-reminder (" + p.deletionReminderPeriod()
                        + ") must be shorter than deletion-grace (" + p.deletionGracePeriod() + ")");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid product configuration: " + String.join("; ", problems));
        }
    }

    public Optional<Product> find(String productCode) {
        return Optional.ofNullable(productCode).map(products::get);
    }
}

package io.marketbill.billing.ledger;

import io.marketbill.billing.BillingProperties;
import io.marketbill.billing.catalog.PriceCatalog;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * With the prod profile, refuses to start while a marketplace that sells a metered product has no
 * credentials: its usage would pile up in the ledger and miss every deadline.
 */
@Component
@Profile("prod")
class MarketplaceCredentialsCheck {

    MarketplaceCredentialsCheck(PriceCatalog catalog, BillingProperties props) {
        List<String> problems = problems(catalog, props);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start with the prod profile: " + String.join("; ", problems));
        }
    }

    static List<String> problems(PriceCatalog catalog, BillingProperties props) {
        List<String> problems = new ArrayList<>();
        if (catalog.sellsOn("aliyun") && !props.aliyun().configured()) {
            problems.add("metered products are sold on Alibaba Cloud Marketplace but ALIYUN_ACCESS_KEY_ID / "
                    + "ALIYUN_ACCESS_KEY_SECRET (marketbill.billing.aliyun.*) are not set");
        }
        for (String product : catalog.productsOn("aws")) {
            String name = catalog.awsAccount(product);
            if (props.aws().account(name).filter(io.marketbill.protocols.aws.AwsAccount::configured).isEmpty()) {
                problems.add("metered product " + product + " is sold on AWS Marketplace but "
                        + (name == null ? "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (marketbill.billing.aws.*) are"
                        : "the credentials of its account " + name + " (marketbill.billing.aws.accounts." + name
                        + ".*) are") + " not set");
            }
        }
        return problems;
    }
}

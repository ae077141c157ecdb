package io.marketbill.binding.page;

import io.marketbill.binding.bindings.Bindings;
import io.marketbill.binding.bindings.LoginTickets;
import io.marketbill.binding.bindings.Products;
import io.marketbill.binding.bindings.Refusal;
import io.marketbill.binding.subscriptions.BindableSubscriptions;
import io.marketbill.binding.subscriptions.BindableSubscriptions.BindableSubscription;
import io.marketbill.contracts.SubscriptionIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code GET /binding/front?instance=&sig=}: the Alibaba instance's front-end URL (前台地址), which the marketplace
 * got at createInstance and shows the buyer for the life of the instance. Its signature never expires and proves
 * nothing about who holds the link, so the page only tells how this one instance stands and what to do next: a bound
 * subscription goes on to the product's console (R9, R2), an unbound one is bound through 免登, which proves the buyer.
 * It never binds, sets no cookie (the language comes from {@code lang} alone) and names no organization or account.
 */
@Controller
class FrontEndPage {

    /** The marketplace's console, whose 已购买的服务 list has the instance's 免登. */
    static final String MARKETPLACE_CONSOLE = "https://market.console.aliyun.com/";

    /** How the instance stands, as the page words it. */
    enum Standing { INVALID, UNKNOWN, UNBOUND, BOUND, FROZEN, CLOSED, PRODUCT_NOT_CONFIGURED }

    private final LoginTickets tickets;
    private final BindableSubscriptions subscriptions;
    private final Bindings bindings;
    private final Products products;

    FrontEndPage(LoginTickets tickets, BindableSubscriptions subscriptions, Bindings bindings, Products products) {
        this.tickets = tickets;
        this.subscriptions = subscriptions;
        this.bindings = bindings;
        this.products = products;
    }

    @GetMapping("/binding/front")
    String page(@RequestParam(required = false) String instance, @RequestParam(required = false) String sig,
                HttpServletRequest request, HttpServletResponse response, Model model) {
        model.addAttribute("lang", PageLocale.resolve(request).toLanguageTag());
        model.addAttribute("marketplaceConsole", MARKETPLACE_CONSOLE);
        Optional<String> subscriptionId = subscriptionOf(instance, sig);
        if (subscriptionId.isEmpty()) {
            // the same answer for a wrong signature and for another instance's: nothing to learn about either
            return show(model, response, Standing.INVALID, Refusal.INVALID_FRONT_END_LINK.status());
        }
        model.addAttribute("instance", instance);
        model.addAttribute("sig", sig);
        Optional<BindableSubscription> sub = subscriptions.find(subscriptionId.get());
        if (sub.isEmpty()) {
            // createInstance answered before this service read the subscription (seconds; minutes after an outage)
            response.setHeader("Retry-After", String.valueOf(BindingPage.UNKNOWN_SUBSCRIPTION_REFRESH_SECONDS));
            model.addAttribute("refreshSeconds", BindingPage.UNKNOWN_SUBSCRIPTION_REFRESH_SECONDS);
            return show(model, response, Standing.UNKNOWN, HttpStatus.ACCEPTED);
        }
        Optional<Products.Product> product = products.find(sub.get().productCode());
        model.addAttribute("productName", product.map(p -> p.displayName(sub.get().productCode()))
                .orElse(sub.get().productCode()));
        if (product.isEmpty()) {
            return show(model, response, Standing.PRODUCT_NOT_CONFIGURED, Refusal.PRODUCT_NOT_CONFIGURED.status());
        }
        boolean bound = !bindings.activeBindingsOf(subscriptionId.get()).isEmpty();
        model.addAttribute("consoleUrl", product.get().consoleUrl() == null || product.get().consoleUrl().isBlank()
                ? null : product.get().consoleUrl());
        model.addAttribute("bound", bound);
        switch (sub.get().status()) {
            case "FROZEN" -> {
                return show(model, response, Standing.FROZEN, HttpStatus.OK);
            }
            case "CLOSED" -> {
                return show(model, response, Standing.CLOSED, HttpStatus.OK);
            }
            default -> { }
        }
        if (bound) {
            Optional<String> console = bindings.consoleOfBound(subscriptionId.get());
            if (console.isPresent()) {
                return "redirect:" + console.get();
            }
            return show(model, response, Standing.BOUND, HttpStatus.OK);
        }
        model.addAttribute("billingCenter", product.get().acceptsAccountAndInstanceId());
        return show(model, response, Standing.UNBOUND, HttpStatus.OK);
    }

    /** The instance's subscription, when the link is the gateway's for it. */
    private Optional<String> subscriptionOf(String instance, String sig) {
        if (!tickets.verifyFrontEndLink(instance, sig)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SubscriptionIds.aliyun(instance));
        } catch (IllegalArgumentException e) {
            // the gateway signs only instance ids it accepted: such a link is not one of its own
            return Optional.empty();
        }
    }

    private static String show(Model model, HttpServletResponse response, Standing standing, HttpStatus status) {
        response.setStatus(status.value());
        model.addAttribute("standing", standing.name());
        return "front";
    }
}

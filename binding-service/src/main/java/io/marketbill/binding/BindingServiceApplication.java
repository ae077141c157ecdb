package io.marketbill.binding;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Links marketplace subscriptions to the vendor's organizations. */
@SpringBootApplication
public class BindingServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(BindingServiceApplication.class, args);
    }
}

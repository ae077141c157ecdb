package io.marketbill.simulator.faults;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Faults switched on from the start, e.g. for a fault run of the local stack.
 *
 * @param rules {@code simulator.faults.rules[0].kind=THROTTLING}, {@code ...marketplace=aws}, {@code ...rate=0.2},
 *              {@code ...seed=7}; the same fields as {@code POST /sim/faults} (see {@link FaultRule}). Default none.
 */
@ConfigurationProperties("simulator.faults")
public record FaultProperties(List<FaultRule> rules) {
    public FaultProperties {
        rules = rules == null ? List.of() : List.copyOf(rules);
    }
}

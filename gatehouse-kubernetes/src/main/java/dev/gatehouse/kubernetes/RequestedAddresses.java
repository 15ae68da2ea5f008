package dev.gatehouse.kubernetes;

import dev.gatehouse.translate.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Gateway's {@code spec.addresses} against the addresses gatehouse publishes ({@code --gateway-addresses}: the
 * nodes' or a fixed list). gatehouse provisions no load balancer, so it assigns nothing: a request for addresses it
 * is reachable at is honoured (those become {@code status.addresses}), any other gets the reason the spec gives,
 * laid over the translator's conditions. Traffic is not affected: the listeners are served on every replica as before.
 *
 * @param conditions the Gateway's conditions
 * @param addresses its {@code status.addresses}
 */
record RequestedAddresses(List<Condition> conditions, List<String> addresses) {
    private static final Set<String> SUPPORTED_TYPES = Set.of("IPAddress", "Hostname");

    static RequestedAddresses of(Gateway gateway, List<Condition> computed, List<String> published) {
        List<GatewaySpecAddress> requested = gateway.getSpec() == null || gateway.getSpec().getAddresses() == null
                ? List.of() : gateway.getSpec().getAddresses();
        if (requested.isEmpty()) {
            return new RequestedAddresses(computed, published);
        }
        String ours = published.isEmpty() ? "none (no Ready, schedulable Node)" : String.join(", ", published);
        List<String> honoured = new ArrayList<>();
        for (GatewaySpecAddress a : requested) {
            String type = a.getType() == null ? "IPAddress" : a.getType();
            if (!SUPPORTED_TYPES.contains(type)) {
                return new RequestedAddresses(replace(replace(computed, new Condition("Accepted", "False",
                        "UnsupportedAddress", "spec.addresses type " + type + " is not supported (IPAddress and "
                        + "Hostname are)")), new Condition("Programmed", "False", "Invalid",
                        "the Gateway is not accepted")), published);
            }
            String value = a.getValue() == null ? "" : a.getValue();
            if (value.isEmpty()) {
                return new RequestedAddresses(replace(computed, new Condition("Programmed", "False",
                        "AddressNotAssigned", "gatehouse assigns no addresses (it provisions no load balancer): "
                        + "request one it is reachable at, " + ours + ", or leave spec.addresses out")), published);
            }
            if (!published.contains(value) || !StatusMerge.addressType(value).equals(type)) {
                return new RequestedAddresses(replace(computed, new Condition("Programmed", "False",
                        "AddressNotUsable", type + " " + value + " is not an address gatehouse is reachable at "
                        + "(--gateway-addresses): " + ours)), published);
            }
            honoured.add(value);
        }
        return new RequestedAddresses(computed, honoured.stream().distinct().toList());
    }

    /** The condition of the same type replaced, unless the translator already set it False (its reason stands). */
    private static List<Condition> replace(List<Condition> conditions, Condition c) {
        List<Condition> out = new ArrayList<>();
        for (Condition old : conditions) {
            out.add(old.type().equals(c.type()) && !old.status().equals("False") ? c : old);
        }
        return out;
    }
}

package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.RequestHeaderModifierSpec;

/** Gateway API {@code RequestHeaderModifier}: changes the request head before it goes upstream. */
public final class RequestHeaderModifierFilter implements HttpFilter {
    private final HeaderMutations mutations;

    private RequestHeaderModifierFilter(HeaderMutations mutations) {
        this.mutations = mutations;
    }

    public static RequestHeaderModifierFilter compile(RequestHeaderModifierSpec spec) {
        return new RequestHeaderModifierFilter(HeaderMutations.compile(spec.set(), spec.add(), spec.remove()));
    }

    @Override
    public FilterResult onRequest(HttpExchange exchange) {
        mutations.apply(exchange.request().headers());
        return FilterResult.CONTINUE;
    }

    @Override
    public String describe() {
        return "RequestHeaderModifier " + mutations.describe();
    }

    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public String toString() {
        return "RequestHeaderModifier[" + mutations.describe() + "]";
    }
}

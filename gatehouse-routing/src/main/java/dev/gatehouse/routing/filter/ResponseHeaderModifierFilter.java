package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.ResponseHeaderModifierSpec;
import io.netty.handler.codec.http.HttpResponse;

/** Gateway API {@code ResponseHeaderModifier}: changes the backend's response head before the client sees it. */
public final class ResponseHeaderModifierFilter implements HttpFilter {
    private final HeaderMutations mutations;

    private ResponseHeaderModifierFilter(HeaderMutations mutations) {
        this.mutations = mutations;
    }

    public static ResponseHeaderModifierFilter compile(ResponseHeaderModifierSpec spec) {
        return new ResponseHeaderModifierFilter(HeaderMutations.compile(spec.set(), spec.add(), spec.remove()));
    }

    @Override
    public void onResponse(HttpExchange exchange, HttpResponse response) {
        mutations.apply(response.headers());
    }

    @Override
    public String describe() {
        return "ResponseHeaderModifier " + mutations.describe();
    }

    @Override
    public boolean sideEffectFree() {
        return true;
    }

    @Override
    public String toString() {
        return "ResponseHeaderModifier[" + mutations.describe() + "]";
    }
}

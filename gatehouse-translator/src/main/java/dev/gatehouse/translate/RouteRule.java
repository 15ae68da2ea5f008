package dev.gatehouse.translate;

import dev.gatehouse.ir.HttpRuleSpec;

import java.time.Instant;

/**
 * A translated rule/match with what precedence needs to know about its route.
 *
 * @param created the route's creation time ({@link Instant#MAX} when unknown)
 */
record RouteRule(HttpRuleSpec spec, Instant created) { }

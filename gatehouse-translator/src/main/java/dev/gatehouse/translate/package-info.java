/**
 * Pure translation of Gateway API resources (fabric8 model objects) into the IR {@link dev.gatehouse.ir.Snapshot}
 * plus every resource's status conditions. No I/O, no clock, no Netty: same input, same output.
 *
 * <p>The API: {@link dev.gatehouse.translate.YamlResourceLoader} (files to a {@link dev.gatehouse.translate.ResourceSet},
 * standalone mode), {@link dev.gatehouse.translate.Translator} (resources to a {@link dev.gatehouse.translate.Translation}),
 * {@link dev.gatehouse.translate.Conditions} (the one catalogue of status conditions).
 *
 * <p>How a translation runs, one class per step: schema validation ({@code validate} package; any error rejects the
 * config) -> {@code ResourceIndex} (lookups, v1beta1 normalised to v1) -> {@code GatewayTranslator} (our Gateways'
 * listeners, certificates via {@code ListenerTlsResolver}, conflicts across Gateways sharing a port) ->
 * {@code HttpRouteTranslator} (rules to {@link dev.gatehouse.ir.HttpRuleSpec}s with {@code MatchTranslator},
 * {@code FilterTranslator}, {@code BackendResolver}, {@code ReferenceGrants}) -> {@code RouteAttacher} (parentRefs,
 * allowedRoutes, {@code Hostnames} intersection, parent statuses) -> {@code VirtualHostAssembler} with
 * {@code Precedence} (rules per effective hostname, in the spec's order) -> ports.
 */
package dev.gatehouse.translate;

package dev.gatehouse.translate;

import dev.gatehouse.ir.ClientTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.L4RouteSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.translate.validate.SchemaValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Gateway API resources in, IR snapshot + statuses out. Pure and thread-safe. */
public final class Translator {
    private static final Comparator<ResourceStatus> STATUS_ORDER = Comparator
            .comparing(ResourceStatus::kind)
            .thenComparing(s -> s.namespace() == null ? "" : s.namespace())
            .thenComparing(ResourceStatus::name);
    private static final Comparator<ListenerState> LISTENER_ORDER = Comparator
            .comparing((ListenerState l) -> l.hostname, Hostnames.MOST_SPECIFIC_FIRST)
            .thenComparing(l -> ResourceIndex.created(l.owner))
            .thenComparing(ListenerState::ownerKey)
            .thenComparingInt(l -> l.index);

    private final TranslatorOptions options;
    /** Per-object results kept for the next translation of the same objects (see {@link ObjectMemo}). */
    private final ObjectMemo<HasMetadata, SchemaValidator.Validated> validated = new ObjectMemo<>();
    private final ObjectMemo<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice, SliceEndpoints.ByPort>
            sliceEndpoints = new ObjectMemo<>();
    /** The last full translation without errors, for a set that differs from it only in EndpointSlices. */
    private final java.util.concurrent.atomic.AtomicReference<EndpointRefresh.Base> lastFull =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Each route's own translation, kept while it and what it reads are the same (see {@link RouteTranslations}). */
    final RouteTranslations routeTranslations = new RouteTranslations();
    /** How many translations were endpoint refreshes (tests). */
    final java.util.concurrent.atomic.AtomicLong endpointRefreshes = new java.util.concurrent.atomic.AtomicLong();

    public Translator(TranslatorOptions options) {
        this.options = options;
    }

    /**
     * @param generation stamped into the snapshot
     */
    public Translation translate(ResourceSet resources, long generation) {
        ObjectMemo.Round<HasMetadata, SchemaValidator.Validated> validation = validated.round();
        List<Diagnostic> diagnostics = new ArrayList<>(SchemaValidator.validate(resources, validation));
        validation.finish();
        diagnostics.addAll(ClientTrafficPolicyTranslator.validateAll(resources));
        RefusedObjects refused = null;
        boolean errors = diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        EndpointRefresh.Base base = lastFull.get();
        if (base != null && !errors) {
            ObjectMemo.Round<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice, SliceEndpoints.ByPort> slices =
                    sliceEndpoints.round();
            Translation refreshed = EndpointRefresh.refresh(base, resources, diagnostics, generation, slices);
            if (refreshed != null) {
                slices.finish();
                endpointRefreshes.incrementAndGet();
                return refreshed;
            }
        }
        List<Diagnostic> checked = List.copyOf(diagnostics);
        ResourceSet input = resources;
        if (errors) {
            lastFull.set(null);
            refused = options.leaveOutRefused() ? RefusedObjects.of(resources, diagnostics) : null;
            if (refused == null) {
                return new Translation(new Snapshot(generation, List.of(), List.of()), List.of(), diagnostics);
            }
            resources = refused.rest();
            diagnostics = refused.diagnostics(diagnostics);
        }
        ResourceIndex index = new ResourceIndex(resources);
        ReferenceGrants grants = new ReferenceGrants(index.grants);
        List<ResourceStatus> statuses = new ArrayList<>();

        Set<String> ourClasses = new HashSet<>();
        for (GatewayClass c : index.gatewayClasses) {
            String controller = c.getSpec() == null ? null : c.getSpec().getControllerName();
            Condition accepted;
            if (options.controllerName().equals(controller)) {
                ourClasses.add(c.getMetadata().getName());
                accepted = Conditions.gatewayClassAccepted();
            } else {
                // In a cluster another controller would answer for it; in these files a typo here silently
                // serves nothing, so the class is reported with what was probably meant.
                accepted = Conditions.gatewayClassNotOurs(ControllerNames.notOurs(controller, options.controllerName()));
            }
            statuses.add(new ResourceStatus("GatewayClass", null, c.getMetadata().getName(), List.of(accepted),
                    List.of(), List.of()));
        }

        GatewayTranslator gateways = new GatewayTranslator(new ListenerTlsResolver(index, grants),
                options.servedProtocols());
        Map<String, List<ListenerState>> listenersByGateway = new LinkedHashMap<>();
        Map<String, Gateway> ourGateways = new LinkedHashMap<>();
        List<ListenerState> allListeners = new ArrayList<>();
        for (Gateway g : index.gateways) {
            if (ourClasses.contains(g.getSpec().getGatewayClassName())) {
                List<ListenerState> states = gateways.listenersOf(g);
                listenersByGateway.put(ResourceIndex.qualifiedName(g), states);
                ourGateways.put(ResourceIndex.qualifiedName(g), g);
                allListeners.addAll(states);
            }
        }
        GatewayTranslator.markConflicts(allListeners);
        // every Gateway's own listeners win over any ListenerSet's: those are marked after them
        ListenerSetTranslator listenerSets = new ListenerSetTranslator(index, gateways);
        allListeners.addAll(listenerSets.attach(ourGateways, listenersByGateway));
        GatewayTranslator.markConflicts(allListeners);

        BackendTrafficPolicyTranslator trafficPolicies = new BackendTrafficPolicyTranslator(index, listenersByGateway,
                listenerSets.listenersBySet, options.controllerName(), diagnostics);
        BackendTlsPolicies tlsPolicies = new BackendTlsPolicies(index, grants, diagnostics);
        List<Gateway> ours = index.gateways.stream().filter(g -> listenersByGateway.containsKey(ResourceIndex.qualifiedName(g))).toList();
        tlsPolicies.resolveClientCertificates(ours);
        ObjectMemo.Round<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice, SliceEndpoints.ByPort> slices =
                sliceEndpoints.round();
        BackendResolver backends = new BackendResolver(index, grants, tlsPolicies, slices);
        SecurityPolicyTranslator securityPolicies = new SecurityPolicyTranslator(index, grants, backends,
                listenersByGateway, listenerSets.listenersBySet, options.controllerName(), diagnostics);
        tlsPolicies.takeUsed(); // an ext-auth service's BackendTLSPolicy is not any one route's
        HttpRouteTranslator routes = new HttpRouteTranslator(backends, new FilterTranslator(backends, index.requestTerminations));
        RouteAttacher attacher = new RouteAttacher(listenersByGateway, listenerSets.listenersBySet, index);
        GrpcRouteTranslator grpc = new GrpcRouteTranslator(backends,
                new FilterTranslator(backends, index.requestTerminations, GrpcRouteTranslator.GRPC_ROUTE));
        Map<String, ClusterSpec> clusters = new TreeMap<>();
        // HTTPRoutes and GRPCRoutes oldest first, so that of two of different kinds sharing a hostname on a
        // listener the older is attached first and keeps it.
        RouteTranslations.Round ownTranslations = routeTranslations.round(resources);
        List<HasMetadata> httpFamily = new ArrayList<>(index.httpRoutes);
        httpFamily.addAll(index.grpcRoutes);
        ResourceIndex.sortByAge(httpFamily, o -> o);
        for (HasMetadata route : httpFamily) {
            boolean[] attached = {false};
            HttpRouteTranslator.Result result;
            List<ResourceStatus.ParentStatus> parents;
            if (route instanceof HTTPRoute http) {
                result = securityPolicies.apply(GatewayTranslator.HTTP_ROUTE, http, http.getSpec().getParentRefs(),
                        trafficPolicies.apply(GatewayTranslator.HTTP_ROUTE, http, http.getSpec().getParentRefs(),
                                ownTranslations.translate(index.origin(route).object(), backends,
                                        () -> routes.translate(http, index.origin(route)))));
                parents = attacher.attach(http, result, options.controllerName(), attached);
            } else {
                GRPCRoute g = (GRPCRoute) route;
                result = securityPolicies.apply(GrpcRouteTranslator.GRPC_ROUTE, g, g.getSpec().getParentRefs(),
                        trafficPolicies.apply(GrpcRouteTranslator.GRPC_ROUTE, g, g.getSpec().getParentRefs(),
                                ownTranslations.translate(g, backends, () -> grpc.translate(g))));
                parents = attacher.attach(g, GrpcRouteTranslator.GRPC_ROUTE, g.getSpec().getParentRefs(),
                        g.getSpec().getHostnames(), result.rejection(), result.resolvedRefs(),
                        (l, effective) -> effective.forEach(h -> result.rules().forEach(rule -> l.attach(rule, h))),
                        options.controllerName(), attached);
            }
            Set<String> tlsClusters = BackendTrafficPolicyTranslator.withPolicyCopies(tlsPolicies.takeUsed(),
                    result.clusters().keySet());
            diagnostics.addAll(result.warnings());
            if (attached[0]) {
                clusters.putAll(result.clusters());
                tlsPolicies.usedBy(tlsClusters, acceptedGateways(parents));
            }
            if (!parents.isEmpty()) {
                String kind = route instanceof HTTPRoute ? GatewayTranslator.HTTP_ROUTE : GrpcRouteTranslator.GRPC_ROUTE;
                statuses.add(new ResourceStatus(kind, ResourceIndex.namespace(route),
                        route.getMetadata().getName(), List.of(), List.of(), parents));
            }
        }

        L4RouteTranslator l4 = new L4RouteTranslator(backends);
        for (L4Route route : index.l4Routes) {
            L4RouteTranslator.Result result = trafficPolicies.apply(route, l4.translate(route));
            tlsPolicies.takeUsed(); // relayed bytes: a BackendTLSPolicy does not apply to L4 routes (yet)
            boolean[] attached = {false};
            List<ResourceStatus.ParentStatus> parents = attacher.attach(route.object(), route.kind(), route.parentRefs(),
                    route.hostnames(), null, result.resolvedRefs(),
                    (l, effective) -> attachL4(l, effective, route.kind(), result.rules()),
                    options.controllerName(), attached);
            if (attached[0]) {
                clusters.putAll(result.clusters());
            }
            if (!parents.isEmpty()) {
                statuses.add(new ResourceStatus(route.kind(), ResourceIndex.namespace(route.object()),
                        route.object().getMetadata().getName(), List.of(), List.of(), parents));
            }
        }

        for (Gateway g : index.gateways) {
            List<ListenerState> states = listenersByGateway.get(ResourceIndex.qualifiedName(g));
            if (states != null) {
                statuses.add(listenerSets.withListenerSets(g, withCondition(GatewayTranslator.status(g, states),
                        tlsPolicies.clientCertificateFailure(ResourceIndex.qualifiedName(g)))));
            }
        }
        statuses.addAll(listenerSets.statuses());
        tlsPolicies.finish(clusters, ours.stream().map(ResourceIndex::qualifiedName).toList(), diagnostics);
        statuses.addAll(tlsPolicies.statuses(options.controllerName()));
        ClientTrafficPolicyTranslator.Result clientTraffic = ClientTrafficPolicyTranslator.translate(
                index.clientTrafficPolicies, listenersByGateway, listenerSets.listenersBySet, allListeners, index,
                diagnostics);
        statuses.addAll(clientTraffic.statuses());
        statuses.addAll(trafficPolicies.statuses());
        statuses.addAll(securityPolicies.statuses());
        if (refused != null) {
            statuses.addAll(refused.statuses(index, listenersByGateway, listenerSets.listenersBySet,
                    options.controllerName()));
        }
        warnIgnoredKinds(index, diagnostics);
        statuses.sort(STATUS_ORDER);
        Snapshot snapshot = new Snapshot(generation, ports(allListeners, clientTraffic.byPort()),
                List.copyOf(clusters.values()));
        if (snapshot.ports().isEmpty()) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, null, 0, null, null,
                    Translation.NOTHING_SERVED + whyNothingIsServed(index, ourClasses, listenersByGateway)));
        }
        slices.finish();
        ownTranslations.finish();
        Translation translation = new Translation(snapshot, statuses, diagnostics);
        if (refused == null) {
            lastFull.set(EndpointRefresh.Base.of(input, checked, translation, backends.sources));
        }
        return translation;
    }

    /** "ns/name" of each Gateway that accepted the route. */
    private static List<String> acceptedGateways(List<ResourceStatus.ParentStatus> parents) {
        List<String> out = new ArrayList<>();
        for (ResourceStatus.ParentStatus p : parents) {
            if (p.conditions().stream().anyMatch(c -> c.type().equals("Accepted") && c.status().equals(Conditions.TRUE))
                    && p.parentRef().startsWith("Gateway ")) {
                // "Gateway ns/name[/section][:port]", read without String.split's regex (compiled once per route)
                String ref = p.parentRef();
                int end = ref.indexOf('/', "Gateway ".length()) + 1;
                while (end < ref.length() && ref.charAt(end) != '/' && ref.charAt(end) != ':') {
                    end++;
                }
                out.add(ref.substring("Gateway ".length(), end));
            }
        }
        return out;
    }

    private static ResourceStatus withCondition(ResourceStatus s, Condition extra) {
        if (extra == null) {
            return s;
        }
        List<Condition> conditions = new ArrayList<>(s.conditions());
        conditions.add(extra);
        return new ResourceStatus(s.kind(), s.namespace(), s.name(), conditions, s.listeners(), s.parents());
    }

    /** A TLSRoute's rules go on the listener once per effective SNI name; a TCPRoute's or UDPRoute's once, without. */
    private static void attachL4(ListenerState l, List<String> effective, String kind, List<L4RouteSpec> rules) {
        List<String> hostnames = kind.equals(L4Route.TLS_ROUTE) ? effective : java.util.Collections.singletonList(null);
        for (String h : hostnames) {
            for (L4RouteSpec rule : rules) {
                l.l4Routes.add(new L4RouteSpec(rule.route(), Hostnames.ANY.equals(h) ? null : h, rule.backends()));
            }
        }
    }

    private static List<PortSpec> ports(List<ListenerState> listeners, Map<Integer, ClientTrafficSpec> clientTraffic) {
        Map<Integer, List<ListenerState>> byPort = new TreeMap<>();
        for (ListenerState l : listeners) {
            if (l.programmed()) {
                byPort.computeIfAbsent(l.port(), p -> new ArrayList<>()).add(l);
            }
        }
        List<PortSpec> out = new ArrayList<>();
        byPort.forEach((port, states) -> {
            List<ListenerSpec> specs = states.stream().sorted(LISTENER_ORDER)
                    .map(l -> new ListenerSpec(l.ownerKey(), l.name(), l.hostname, l.tls,
                            VirtualHostAssembler.assemble(l.rulesByHostname),
                            l.protocol.isL4() ? l.l4Routes : null))
                    .toList();
            out.add(new PortSpec(port, states.get(0).protocol, specs, clientTraffic.get(port)));
        });
        return out;
    }

    private String whyNothingIsServed(ResourceIndex index, Set<String> ourClasses,
                                      Map<String, List<ListenerState>> listenersByGateway) {
        if (index.gatewayClasses.isEmpty() && index.gateways.isEmpty()) {
            return "the config has no GatewayClass and no Gateway";
        }
        if (ourClasses.isEmpty()) {
            return "no GatewayClass has controllerName " + options.controllerName()
                    + ", so no Gateway is gatehouse's";
        }
        if (listenersByGateway.isEmpty()) {
            return "no Gateway uses GatewayClass " + String.join(" or ", new TreeSet<>(ourClasses));
        }
        return "no listener of Gateway " + String.join(", ", listenersByGateway.keySet())
                + " is programmed (each listener's Programmed condition says why)";
    }

    /** Kinds that parse but are not translated yet: say so for each, where it is defined. */
    private static void warnIgnoredKinds(ResourceIndex index, List<Diagnostic> diagnostics) {
        for (HasMetadata o : index.ignored) {
            ResourceSet.Entry origin = index.origin(o);
            diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, origin == null ? null : origin.file(),
                    origin == null ? 0 : origin.document(), o.getKind() + " " + ResourceIndex.qualifiedName(o), null,
                    o.getKind() + " is not translated yet; ignored"));
        }
    }
}

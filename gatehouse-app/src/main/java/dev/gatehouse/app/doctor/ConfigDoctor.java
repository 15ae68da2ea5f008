package dev.gatehouse.app.doctor;

import dev.gatehouse.app.doctor.UnattachedRoute;
import dev.gatehouse.app.doctor.UnattachedRoutes;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.translate.Condition;
import dev.gatehouse.translate.Hostnames;
import dev.gatehouse.translate.ResourceSet;
import dev.gatehouse.translate.ResourceStatus;
import dev.gatehouse.translate.Translation;
import dev.gatehouse.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedListeners;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentGatewayReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The checks of {@code gatehouse doctor DIR}, each a pure function of the resources, their translation and
 * the current time. The translator already reports most of these as status conditions; doctor adds what a
 * condition cannot say: the fix, the listeners that would have matched, and problems that are not a
 * condition at all (an expiring certificate, a slice port that disagrees with a targetPort).
 */
public final class ConfigDoctor {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final ResourceSet resources;
    private final Map<Class<?>, List<? extends HasMetadata>> byType = new java.util.HashMap<>();
    private final Map<String, Map<String, ResourceStatus>> statusesByKind = new java.util.HashMap<>();
    private final Translation translation;
    private final Instant now;
    private final String controllerName;

    public ConfigDoctor(ResourceSet resources, Translation translation, Instant now) {
        this(resources, translation, now, TranslatorOptions.DEFAULT_CONTROLLER_NAME);
    }

    /** @param controllerName the one gatehouse serves (the translation was made with it) */
    public ConfigDoctor(ResourceSet resources, Translation translation, Instant now, String controllerName) {
        this.resources = resources;
        this.translation = translation;
        this.now = now;
        this.controllerName = controllerName;
    }

    public List<Finding> check() {
        // causes before their consequence: a mistyped class is why nothing is served
        List<Finding> out = new ArrayList<>(gatewayClassesNotOurs());
        out.addAll(gatewaysOfNoClass());
        out.addAll(listenerSetsNotAttached());
        out.addAll(listenersNotProgrammed());
        out.addAll(nothingServed());
        out.addAll(routesAttachedToNothing());
        out.addAll(backendsWithoutReadyEndpoints());
        out.addAll(unresolvedBackendRefs());
        out.addAll(servicePortMismatches());
        out.addAll(listenerProtocolConflicts());
        out.addAll(new CertificateExpiry(now).check(translation.snapshot()));
        out.addAll(hostnamesNoListenerAccepts());
        return out;
    }

    /** No port to bind at all: the gateway would answer nothing, and /ready would stay 503. */
    List<Finding> nothingServed() {
        String why = translation.nothingServed();
        return why == null ? List.of() : List.of(new Finding(Finding.Severity.ERROR, "nothing-served", "config",
                why.substring(Translation.NOTHING_SERVED.length()) + ": nothing is served and /ready stays 503",
                "serve at least one HTTP listener: a Gateway with one, of a GatewayClass with gatehouse's controllerName"));
    }

    /**
     * Listeners that are not programmed (a listener without usable certificates; a protocol gatehouse does not
     * serve): nothing listens for them. Conflicts have their own check.
     */
    List<Finding> listenersNotProgrammed() {
        Map<String, String> protocols = new LinkedHashMap<>();
        for (Gateway g : objects(Gateway.class)) {
            if (g.getSpec() != null && g.getSpec().getListeners() != null) {
                g.getSpec().getListeners().forEach(l -> protocols.put(key(g) + "/" + l.getName(), l.getProtocol()));
            }
        }
        for (ListenerSet set : objects(ListenerSet.class)) {
            if (set.getSpec() != null && set.getSpec().getListeners() != null) {
                set.getSpec().getListeners().forEach(l -> protocols.put("ListenerSet " + key(set) + "/" + l.getName(),
                        l.getProtocol()));
            }
        }
        List<ResourceStatus> owners = new ArrayList<>(statusesOf("Gateway").values());
        // a ListenerSet not attached as a whole is one finding of its own (listenerSetsNotAttached)
        statusesOf("ListenerSet").values().stream().filter(s -> s.conditions().stream()
                .anyMatch(c -> c.type().equals("Accepted") && c.status().equals("True"))).forEach(owners::add);
        List<Finding> out = new ArrayList<>();
        for (ResourceStatus gateway : owners) {
            String owner = (gateway.kind().equals("Gateway") ? "" : "ListenerSet ") + gateway.namespace() + "/"
                    + gateway.name();
            for (ResourceStatus.ListenerStatus l : gateway.listeners()) {
                boolean conflicted = l.conditions().stream()
                        .anyMatch(c -> c.type().equals("Conflicted") && c.status().equals("True"));
                l.conditions().stream().filter(c -> c.type().equals("Programmed") && !c.status().equals("True"))
                        .filter(c -> !conflicted).forEach(c -> {
                    String protocol = protocols.get(owner + "/" + l.name());
                    boolean served = TranslatorOptions.SERVED_PROTOCOLS.stream().anyMatch(p -> p.name().equals(protocol));
                    out.add(new Finding(Finding.Severity.ERROR, "listener-not-programmed", gateway.resource(),
                            "listener " + l.name() + " is not served (" + c.reason() + ": " + c.message() + ")",
                            served ? "fix what the listener's conditions name ('gatehouse validate' prints them)"
                                    : "gatehouse serves HTTP, HTTPS, TLS (passthrough and terminate), TCP and UDP listeners"));
                });
            }
        }
        return out;
    }

    /** An HTTPRoute or a GRPCRoute: what the route checks read of either. */
    private record HttpFamilyRoute(String kind, HasMetadata object, List<ParentReference> parentRefs,
                                   List<String> hostnames) { }

    private List<HttpFamilyRoute> httpFamilyRoutes() {
        List<HttpFamilyRoute> out = new ArrayList<>();
        objects(HTTPRoute.class).forEach(r -> out.add(new HttpFamilyRoute("HTTPRoute", r,
                r.getSpec() == null ? null : r.getSpec().getParentRefs(), r.getSpec() == null ? null : r.getSpec().getHostnames())));
        objects(GRPCRoute.class).forEach(r -> out.add(new HttpFamilyRoute("GRPCRoute", r,
                r.getSpec() == null ? null : r.getSpec().getParentRefs(), r.getSpec() == null ? null : r.getSpec().getHostnames())));
        return out;
    }

    /**
     * ListenerSets whose listeners are not served as a whole: their Gateway does not allow them, is not accepted,
     * or is not one of ours (then nothing answers for the ListenerSet at all).
     */
    List<Finding> listenerSetsNotAttached() {
        Map<String, ResourceStatus> statuses = statusesOf("ListenerSet");
        Map<String, Gateway> gateways = new LinkedHashMap<>();
        objects(Gateway.class).forEach(g -> gateways.put(key(g), g));
        List<Finding> out = new ArrayList<>();
        for (ListenerSet set : objects(ListenerSet.class)) {
            String resource = "ListenerSet " + key(set);
            ParentGatewayReference ref = set.getSpec() == null ? null : set.getSpec().getParentRef();
            if (ref == null) {
                continue;
            }
            String parent = (ref.getNamespace() == null || ref.getNamespace().isEmpty() ? namespace(set)
                    : ref.getNamespace()) + "/" + ref.getName();
            ResourceStatus status = statuses.get(key(set));
            if (status == null) {
                // another controller's Gateway may be meant; one that does not exist at all is a mistake
                out.add(new Finding(gateways.containsKey(parent) ? Finding.Severity.WARNING : Finding.Severity.ERROR,
                        "listenerset-not-attached", resource,
                        "its parentRef names Gateway " + parent + ", which gatehouse does not serve, so its listeners "
                                + "serve nothing",
                        "set spec.parentRef to one of: " + ourGateways()));
                continue;
            }
            Condition accepted = status.conditions().stream().filter(c -> c.type().equals("Accepted")).findFirst()
                    .orElse(null);
            if (accepted == null || accepted.status().equals("True")) {
                continue;
            }
            String fix = switch (accepted.reason()) {
                case "NotAllowed" -> notAllowedFix(gateways.get(parent), parent, namespace(set));
                case "ParentNotAccepted" -> "fix Gateway " + parent + "'s listeners first (its conditions say why)";
                default -> "fix what each listener's conditions name ('gatehouse validate' prints them)";
            };
            out.add(new Finding(Finding.Severity.ERROR, "listenerset-not-attached", resource,
                    "not attached (" + accepted.reason() + ": " + accepted.message() + "), so its listeners serve nothing",
                    fix));
        }
        return out;
    }

    private static String notAllowedFix(Gateway gateway, String parent, String namespace) {
        AllowedListeners allowed = gateway == null || gateway.getSpec() == null ? null
                : gateway.getSpec().getAllowedListeners();
        String from = allowed == null || allowed.getNamespaces() == null || allowed.getNamespaces().getFrom() == null
                ? "None" : allowed.getNamespaces().getFrom();
        if (from.equals("None")) {
            return "Gateway " + parent + " does not allow ListenerSets: set spec.allowedListeners "
                    + "(namespaces.from: Same, All, or a Selector that takes namespace " + namespace + ")";
        }
        return "Gateway " + parent + " allows ListenerSets from " + from + " only: set its spec.allowedListeners "
                + "so that it takes namespace " + namespace + ", or move the ListenerSet";
    }

    /** HTTPRoutes and GRPCRoutes that no parentRef attaches: they serve nothing. */
    List<Finding> routesAttachedToNothing() {
        List<Finding> out = new ArrayList<>();
        Map<String, List<UnattachedRoute>> unattached = new UnattachedRoutes(translation.statuses()).all().stream()
                .collect(Collectors.groupingBy(UnattachedRoute::route, LinkedHashMap::new, Collectors.toList()));
        for (HttpFamilyRoute route : httpFamilyRoutes()) {
            String key = key(route.object());
            String resource = route.kind() + " " + key;
            ResourceStatus status = statusesOf(route.kind()).get(key);
            if (status == null) {
                out.add(unservedParents(route.object(), route.parentRefs(), resource));
                continue;
            }
            boolean anyAccepted = status.parents().stream().flatMap(p -> p.conditions().stream())
                    .anyMatch(c -> c.type().equals("Accepted") && c.status().equals("True"));
            if (anyAccepted) {
                continue;
            }
            for (UnattachedRoute u : unattached.getOrDefault(resource, List.of())) {
                out.add(new Finding(Finding.Severity.ERROR, "unattached-route", resource,
                        "not attached to " + u.parentRef() + " (" + u.reason() + ": " + u.message() + ")",
                        fixFor(u)));
            }
        }
        return out;
    }

    /**
     * A route none of whose parents gatehouse serves. When a parent Gateway exists, the parentRef is right and
     * its GatewayClass is what to fix: pointing at parentRefs would send the user the wrong way.
     */
    private Finding unservedParents(HasMetadata route, List<ParentReference> parentRefs, String resource) {
        Map<String, Gateway> gateways = new LinkedHashMap<>();
        objects(Gateway.class).forEach(g -> gateways.put(key(g), g));
        Set<String> classes = gatewayClasses().keySet();
        for (ParentReference ref : parentRefs == null ? List.<ParentReference>of() : parentRefs) {
            String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? namespace(route) : ref.getNamespace();
            Gateway g = namesGateway(ref) ? gateways.get(ns + "/" + ref.getName()) : null;
            if (g == null || g.getSpec() == null) {
                continue;
            }
            String className = g.getSpec().getGatewayClassName();
            if (classes.contains(className)) {
                return new Finding(Finding.Severity.ERROR, "unattached-route", resource,
                        "its parent Gateway " + key(g) + " is of GatewayClass " + className
                                + ", whose controllerName is not gatehouse's, so the route serves nothing",
                        "set GatewayClass " + className + "'s spec.controllerName: " + controllerName);
            }
            return new Finding(Finding.Severity.ERROR, "unattached-route", resource,
                    "its parent Gateway " + key(g) + " names GatewayClass " + className
                            + ", which is not defined, so the route serves nothing",
                    fixForMissingClass(className));
        }
        return new Finding(Finding.Severity.ERROR, "unattached-route", resource,
                "no parentRef names a Gateway that gatehouse serves, so the route serves nothing",
                "set spec.parentRefs to one of: " + ourGateways());
    }

    /** GatewayClasses of another controller (a typo, or a name pasted from another gateway's docs). */
    List<Finding> gatewayClassesNotOurs() {
        List<Finding> out = new ArrayList<>();
        for (ResourceStatus s : gatewayClasses().values()) {
            for (Condition c : s.conditions()) {
                if (c.type().equals("Accepted") && !c.status().equals("True")) {
                    List<String> unserved = objects(Gateway.class).stream()
                            .filter(g -> g.getSpec() != null && s.name().equals(g.getSpec().getGatewayClassName()))
                            .map(ConfigDoctor::key).toList();
                    // a class nothing uses may belong to another controller on purpose: then it is only a warning
                    out.add(new Finding(unserved.isEmpty() ? Finding.Severity.WARNING : Finding.Severity.ERROR,
                            "gatewayclass-controller", s.resource(), c.message()
                                    + (unserved.isEmpty() ? "" : "; not served: Gateway " + String.join(", ", unserved)),
                            "set spec.controllerName: " + controllerName));
                }
            }
        }
        return out;
    }

    /** Gateways whose gatewayClassName names no GatewayClass at all: served by nobody. */
    List<Finding> gatewaysOfNoClass() {
        Set<String> classes = gatewayClasses().keySet();
        return objects(Gateway.class).stream()
                .filter(g -> g.getSpec() != null && !classes.contains(g.getSpec().getGatewayClassName()))
                .map(g -> new Finding(Finding.Severity.ERROR, "gatewayclass-missing", "Gateway " + key(g),
                        "GatewayClass " + g.getSpec().getGatewayClassName() + " is not defined, so the Gateway is not served",
                        fixForMissingClass(g.getSpec().getGatewayClassName())))
                .toList();
    }

    private String fixForMissingClass(String className) {
        List<String> ours = gatewayClasses().values().stream()
                .filter(s -> s.conditions().stream().allMatch(c -> c.status().equals("True")))
                .map(ResourceStatus::name).toList();
        return "define GatewayClass " + className + " with spec.controllerName: " + controllerName
                + (ours.isEmpty() ? "" : ", or set the Gateway's gatewayClassName to " + String.join(" or ", ours));
    }

    private static String fixFor(UnattachedRoute u) {
        return switch (u.reason()) {
            case "NoMatchingParent" -> "make the parentRef's sectionName/port name a listener of "
                    + (u.gateway().startsWith("ListenerSet ") ? "" : "Gateway ") + u.gateway();
            case "NotAllowedByListeners" -> "allow the route's namespace in the listener's allowedRoutes "
                    + "(namespaces.from: All or a Selector), or move the route to the Gateway's namespace";
            case "NoMatchingListenerHostname" -> "use route hostnames that the listener hostname covers, "
                    + "or widen the listener hostname";
            case "HostnameConflict" -> "give the HTTPRoute and the GRPCRoute hostnames that do not intersect, "
                    + "or attach them to different listeners";
            default -> "fix what the condition names, then run 'gatehouse validate'";
        };
    }

    /** Clusters with no ready endpoint: every request routed there gets 503. */
    List<Finding> backendsWithoutReadyEndpoints() {
        List<Finding> out = new ArrayList<>();
        for (ClusterSpec c : translation.snapshot().clusters()) {
            if (!c.endpoints().isEmpty()) {
                continue;
            }
            String service = c.name().substring(0, c.name().lastIndexOf(':'));
            out.add(new Finding(Finding.Severity.ERROR, "no-ready-endpoints", "Service " + service,
                    "backend " + c.name() + " has no ready endpoints; requests routed to it get 503",
                    "add an EndpointSlice labelled " + SERVICE_NAME_LABEL + ": " + service.substring(service.indexOf('/') + 1)
                            + " with ready IP endpoints and a port named like the Service port"));
        }
        return out;
    }

    /** backendRefs that resolve to nothing (missing Service or port, no ReferenceGrant): their share gets 500. */
    List<Finding> unresolvedBackendRefs() {
        List<Finding> out = new ArrayList<>();
        for (ResourceStatus s : translation.statuses()) {
            Set<String> seen = new LinkedHashSet<>();
            for (ResourceStatus.ParentStatus p : s.parents()) {
                for (Condition c : p.conditions()) {
                    if (c.type().equals("ResolvedRefs") && !c.status().equals("True") && seen.add(c.message())) {
                        out.add(new Finding(Finding.Severity.ERROR, "unresolved-backend",
                                s.kind() + " " + s.namespace() + "/" + s.name(),
                                c.reason() + ": " + c.message() + "; that backend's share of requests gets 500",
                                switch (c.reason()) {
                                    case "InvalidCACertificateRef" -> "create the ConfigMap (or Secret) with a PEM "
                                            + "ca.crt in " + s.namespace() + ", or fix the caCertificateRef";
                                    case "InvalidKind" -> s.kind().equals("BackendTLSPolicy")
                                            ? "name a core ConfigMap or Secret in caCertificateRefs"
                                            : "point the backendRef at a core Service";
                                    case "RefNotPermitted" -> "add a ReferenceGrant in the Service's namespace "
                                            + "that allows " + s.kind() + "s from " + s.namespace();
                                    case "BackendNotFound" -> "create the Service (and its EndpointSlice) or fix "
                                            + "the backendRef's name and port";
                                    default -> "point the backendRef at a core Service";
                                }));
                    }
                }
            }
        }
        return out;
    }

    /**
     * A Service port is served by the slice port with the same name; a numeric targetPort that no slice port
     * equals means the manifests disagree. In standalone mode the slice port is what traffic goes to, so the
     * targetPort is then silently ignored (in a cluster, the EndpointSlice controller would derive the slice
     * from the targetPort instead).
     */
    List<Finding> servicePortMismatches() {
        List<Finding> out = new ArrayList<>();
        Map<String, List<EndpointSlice>> slices = new TreeMap<>();
        for (EndpointSlice slice : objects(EndpointSlice.class)) {
            String service = slice.getMetadata().getLabels() == null ? null
                    : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            if (service != null) {
                slices.computeIfAbsent(namespace(slice) + "/" + service, k -> new ArrayList<>()).add(slice);
            }
        }
        for (Service service : objects(Service.class)) {
            List<EndpointSlice> ofService = slices.getOrDefault(key(service), List.of());
            if (ofService.isEmpty() || service.getSpec() == null || service.getSpec().getPorts() == null) {
                continue;
            }
            List<EndpointPort> slicePorts = ofService.stream().filter(s -> s.getPorts() != null)
                    .flatMap(s -> s.getPorts().stream()).toList();
            for (ServicePort port : service.getSpec().getPorts()) {
                String name = port.getName() == null ? "" : port.getName();
                List<EndpointPort> named = slicePorts.stream()
                        .filter(p -> name.equals(p.getName() == null ? "" : p.getName())).toList();
                String portText = "port " + port.getPort() + (name.isEmpty() ? " (unnamed)" : " ('" + name + "')");
                if (named.isEmpty()) {
                    // built only for a finding: this check runs on every reload, over every Service
                    String available = slicePorts.stream().map(p -> (p.getName() == null || p.getName().isEmpty()
                            ? "(unnamed)" : p.getName()) + "=" + p.getPort()).distinct()
                            .collect(Collectors.joining(", "));
                    out.add(new Finding(Finding.Severity.ERROR, "service-port-mismatch", "Service " + key(service),
                            portText + " has no EndpointSlice port " + (name.isEmpty() ? "without a name" : "named '" + name + "'")
                                    + " (slice ports: " + available + "), so it has no endpoints",
                            "name the EndpointSlice port '" + name + "' like the Service port; in standalone mode the "
                                    + "slice port with the Service port's name is the one traffic goes to"));
                    continue;
                }
                IntOrString target = port.getTargetPort();
                if (target != null && target.getIntVal() != null) {
                    int t = target.getIntVal();
                    boolean equal = slicePorts.stream().anyMatch(p -> Objects.equals(p.getPort(), t));
                    if (!equal) {
                        String used = named.stream().map(p -> String.valueOf(p.getPort())).distinct()
                                .collect(Collectors.joining(", "));
                        out.add(new Finding(Finding.Severity.WARNING, "service-port-mismatch", "Service " + key(service),
                                portText + " has targetPort " + t + " but no EndpointSlice port is " + t
                                        + "; traffic goes to slice port " + used,
                                "make targetPort and the EndpointSlice port agree; in standalone mode the slice port ("
                                        + used + ") is what is used"));
                    }
                }
            }
        }
        return out;
    }

    /** Listeners of our Gateways on one port with protocols that cannot share a socket. */
    List<Finding> listenerProtocolConflicts() {
        Map<Integer, Map<String, List<String>>> byPort = new TreeMap<>();
        Set<String> ours = statusesOf("Gateway").keySet();
        for (Gateway g : objects(Gateway.class)) {
            if (!ours.contains(key(g)) || g.getSpec() == null || g.getSpec().getListeners() == null) {
                continue;
            }
            for (Listener l : g.getSpec().getListeners()) {
                if (l.getPort() == null || l.getProtocol() == null) {
                    continue;
                }
                // HTTPS and TLS both start with a TLS handshake and may share a port; HTTP and TCP may not.
                String family = switch (l.getProtocol().toUpperCase(Locale.ROOT)) {
                    case "HTTPS", "TLS" -> "TLS";
                    default -> l.getProtocol().toUpperCase(Locale.ROOT);
                };
                byPort.computeIfAbsent(l.getPort(), p -> new TreeMap<>())
                        .computeIfAbsent(family, f -> new ArrayList<>())
                        .add("Gateway " + key(g) + " listener " + l.getName() + " (" + l.getProtocol() + ")");
            }
        }
        List<Finding> out = new ArrayList<>();
        byPort.forEach((port, families) -> {
            if (families.size() > 1) {
                List<String> all = families.values().stream().flatMap(List::stream).toList();
                out.add(new Finding(Finding.Severity.ERROR, "listener-protocol-conflict", all.get(0),
                        "port " + port + " is shared by listeners with conflicting protocols: " + String.join(", ", all)
                                + "; the conflicted listeners are not served",
                        "give each protocol its own port"));
            }
        });
        return out;
    }

    /** Route hostnames that no listener of the route's parents accepts: requests for them get 404. */
    List<Finding> hostnamesNoListenerAccepts() {
        Map<String, Gateway> gateways = new LinkedHashMap<>();
        Set<String> ours = statusesOf("Gateway").keySet();
        objects(Gateway.class).stream().filter(g -> ours.contains(key(g))).forEach(g -> gateways.put(key(g), g));
        List<Finding> out = new ArrayList<>();
        for (HttpFamilyRoute route : httpFamilyRoutes()) {
            List<String> hostnames = route.hostnames() == null ? List.of()
                    : route.hostnames().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
            if (hostnames.isEmpty() || route.parentRefs() == null) {
                continue;
            }
            for (ParentReference ref : route.parentRefs()) {
                String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? namespace(route.object())
                        : ref.getNamespace();
                Gateway g = namesGateway(ref) ? gateways.get(ns + "/" + ref.getName()) : null;
                if (g == null || g.getSpec() == null || g.getSpec().getListeners() == null) {
                    continue;
                }
                List<Listener> selected = g.getSpec().getListeners().stream()
                        .filter(l -> ref.getSectionName() == null || ref.getSectionName().equals(l.getName()))
                        .filter(l -> ref.getPort() == null || ref.getPort().equals(l.getPort()))
                        .toList();
                if (selected.isEmpty()) {
                    continue;
                }
                List<String> listenerHosts = selected.stream().map(l -> l.getHostname() == null
                        ? null : l.getHostname().toLowerCase(Locale.ROOT)).toList();
                for (String h : hostnames) {
                    if (listenerHosts.stream().noneMatch(lh -> Hostnames.intersects(lh, h))) {
                        out.add(new Finding(Finding.Severity.WARNING, "hostname-not-accepted",
                                route.kind() + " " + key(route.object()),
                                "hostname " + h + " is accepted by no listener of Gateway " + key(g) + " it attaches to "
                                        + "(listener hostnames: " + listenerHosts.stream()
                                        .map(lh -> lh == null ? "*" : lh).collect(Collectors.joining(", "))
                                        + "); requests for it get 404",
                                "remove the hostname, or add a listener whose hostname covers it"));
                    }
                }
            }
        }
        return out;
    }

    /** A parentRef of kind Gateway (the default); a ListenerSet may share a Gateway's name. */
    private static boolean namesGateway(ParentReference ref) {
        return ref.getKind() == null || ref.getKind().equals("Gateway");
    }

    private String ourGateways() {
        Set<String> ours = statusesOf("Gateway").keySet();
        return ours.isEmpty() ? "(none: no Gateway uses a GatewayClass with gatehouse's controllerName)"
                : String.join(", ", ours);
    }

    /** Every GatewayClass (each has a status, ours or not) by name. */
    private Map<String, ResourceStatus> gatewayClasses() {
        Map<String, ResourceStatus> out = new LinkedHashMap<>();
        translation.statuses().stream().filter(s -> s.kind().equals("GatewayClass")).forEach(s -> out.put(s.name(), s));
        return out;
    }

    /**
     * The statuses of one kind by "namespace/name", gathered once per kind: a check asks once per route, and
     * gathering them each time was 5,000 scans of 15,000 statuses, most of a reload at 5,000 routes.
     */
    private Map<String, ResourceStatus> statusesOf(String kind) {
        return statusesByKind.computeIfAbsent(kind, k -> {
            Map<String, ResourceStatus> out = new LinkedHashMap<>();
            translation.statuses().stream().filter(s -> s.kind().equals(k))
                    .forEach(s -> out.put(s.namespace() + "/" + s.name(), s));
            return java.util.Collections.unmodifiableMap(out);
        });
    }

    /** The objects of one type, each type gathered once per check (the checks ask for the same types often). */
    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> List<T> objects(Class<T> type) {
        return (List<T>) byType.computeIfAbsent(type, t -> resources.entries().stream().map(ResourceSet.Entry::object)
                .filter(t::isInstance).toList());
    }

    private static String namespace(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    private static String key(HasMetadata o) {
        return namespace(o) + "/" + o.getMetadata().getName();
    }
}

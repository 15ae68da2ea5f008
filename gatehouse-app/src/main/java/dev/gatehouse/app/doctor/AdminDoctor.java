package dev.gatehouse.app.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.translate.Translation;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gatehouse doctor --admin URL}: the checks that a running gateway's {@code /status} and
 * {@code /backends} can answer. Unlike the config checks it sees live endpoint health; it cannot see
 * certificates, Services or slices (the admin API does not expose them), and says so.
 */
public final class AdminDoctor {
    public static final List<String> NOT_CHECKED = List.of(
            "certificate expiry, Service port/targetPort and route hostname checks need the files: "
                    + "run 'gatehouse doctor DIR' on the config");

    private final ObjectMapper json = new ObjectMapper();

    /** Reads {@code /status} and {@code /backends}. @throws IOException naming the path and status on failure */
    public List<Finding> check(URI admin, String token) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        return check(get(client, admin, "/status", token), get(client, admin, "/backends", token));
    }

    private JsonNode get(HttpClient client, URI admin, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(10));
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token.trim());
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + admin.resolve(path) + " answered " + r.statusCode() + ": " + r.body().trim());
        }
        return json.readTree(r.body());
    }

    /** The pure part: findings from the two documents. */
    public List<Finding> check(JsonNode status, JsonNode backends) {
        List<Finding> out = new ArrayList<>();
        for (JsonNode w : status.path("warnings")) {
            String message = w.path("message").asText();
            if (message.startsWith(Translation.NOTHING_SERVED)) {
                out.add(new Finding(Finding.Severity.ERROR, "nothing-served", "config",
                        message.substring(Translation.NOTHING_SERVED.length()) + ": nothing is served and /ready is 503",
                        "run 'gatehouse doctor DIR' on the config files"));
            }
        }
        for (JsonNode r : status.path("resources")) {
            String namespace = r.path("namespace").asText("");
            String resource = r.path("kind").asText() + " " + (namespace.isEmpty() ? "" : namespace + "/")
                    + r.path("name").asText();
            if (r.path("kind").asText().equals("GatewayClass")) {
                for (JsonNode c : r.path("conditions")) {
                    if (c.path("type").asText().equals("Accepted") && !c.path("status").asText().equals("True")) {
                        out.add(new Finding(Finding.Severity.ERROR, "gatewayclass-controller", resource,
                                c.path("message").asText(), "set the GatewayClass's spec.controllerName to the one "
                                        + "the message names (or start gatehouse with --controller-name)"));
                    }
                }
            }
            if (r.path("parents").size() > 0) {
                boolean accepted = false;
                List<String> why = new ArrayList<>();
                for (JsonNode p : r.path("parents")) {
                    for (JsonNode c : p.path("conditions")) {
                        String type = c.path("type").asText();
                        boolean isTrue = c.path("status").asText().equals("True");
                        if (type.equals("Accepted")) {
                            accepted |= isTrue;
                            if (!isTrue) {
                                why.add(p.path("parentRef").asText() + ": " + c.path("reason").asText() + ": "
                                        + c.path("message").asText());
                            }
                        } else if (type.equals("ResolvedRefs") && !isTrue) {
                            out.add(new Finding(Finding.Severity.ERROR, "unresolved-backend", resource,
                                    c.path("reason").asText() + ": " + c.path("message").asText()
                                            + "; that backend's share of requests gets 500",
                                    "create the Service or fix the backendRef (a ReferenceGrant for another namespace)"));
                        }
                    }
                }
                if (!accepted) {
                    out.add(new Finding(Finding.Severity.ERROR, "unattached-route", resource,
                            "attached to no listener: " + String.join("; ", why),
                            "fix the parentRef (sectionName, port), the listener's allowedRoutes or the hostnames"));
                }
            }
            for (JsonNode l : r.path("listeners")) {
                boolean conflicted = false;
                for (JsonNode c : l.path("conditions")) {
                    if (c.path("type").asText().equals("Conflicted") && c.path("status").asText().equals("True")) {
                        conflicted = true;
                        out.add(new Finding(Finding.Severity.ERROR, "listener-protocol-conflict", resource,
                                "listener " + l.path("name").asText() + " is conflicted (" + c.path("reason").asText()
                                        + ": " + c.path("message").asText() + ") and not served",
                                "give each protocol its own port, or distinct hostnames"));
                    }
                }
                for (JsonNode c : l.path("conditions")) {
                    if (!conflicted && c.path("type").asText().equals("Programmed")
                            && !c.path("status").asText().equals("True")) {
                        boolean pending = c.path("reason").asText().equals("Pending");
                        out.add(new Finding(Finding.Severity.ERROR, "listener-not-programmed", resource,
                                "listener " + l.path("name").asText() + " is not served (" + c.path("reason").asText()
                                        + ": " + c.path("message").asText() + ")",
                                pending ? "free the port (another process holds it) or give the listener another "
                                        + "port; gatehouse keeps retrying and serves it once the bind succeeds"
                                        : "see the listener's conditions; 'gatehouse doctor DIR' on the files says more"));
                    }
                }
            }
        }
        for (JsonNode c : backends.path("clusters")) {
            String name = c.path("name").asText();
            String resource = "Service " + name.substring(0, Math.max(0, name.lastIndexOf(':')));
            int ready = c.path("ready").asInt();
            int unhealthy = c.path("unhealthy").asInt();
            if (ready == 0) {
                out.add(new Finding(Finding.Severity.ERROR, "no-ready-endpoints", resource,
                        "backend " + name + " has no ready endpoints; requests routed to it get 503",
                        "add ready endpoints to the Service's EndpointSlice"));
            } else if (unhealthy == ready) {
                out.add(new Finding(Finding.Severity.ERROR, "no-ready-endpoints", resource,
                        "every endpoint of backend " + name + " fails its health check; requests are still tried on all of them (panic mode) and mostly fail with 502",
                        "bring the pods back (see each endpoint's last error in /backends)"));
            } else {
                for (JsonNode e : c.path("endpoints")) {
                    if (e.path("health").asText().equals("UNHEALTHY")) {
                        out.add(new Finding(Finding.Severity.WARNING, "unhealthy-endpoint", resource,
                                "endpoint " + e.path("address").asText() + " of " + name + " is unhealthy"
                                        + (e.path("lastError").isTextual() ? " (" + e.path("lastError").asText() + ")" : ""),
                                "check that pod; traffic goes to the healthy endpoints meanwhile"));
                    }
                }
            }
        }
        return out;
    }
}

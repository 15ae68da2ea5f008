package dev.gatehouse.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Offline admission: a custom resource is checked against its CRD's openAPIV3Schema (the Gateway API's own CRDs,
 * read from the shared copy, and ours), a built-in kind is read into its fabric8 model class with unknown fields
 * refused. fabric8's classes keep unknown fields in an any-setter map, so the mapper ignores any-setters to make
 * FAIL_ON_UNKNOWN_PROPERTIES bite. fabric8 8 is on Jackson 3 (its custom deserializers of IntOrString, Quantity...
 * are Jackson 3 annotations), so that mapper is Jackson 3's; the YAML is read with Jackson 2 and handed over as JSON.
 * A custom resource's metadata is checked as ObjectMeta, as the API server does (the CRD schema leaves it open).
 */
final class ObjectSchemas {
    /** The standard channel, as upstream publishes it; never copied into the project. */
    static final Path GATEWAY_API_CRDS = Path.of("../../shared/gateway-api-crds/standard");

    private static final Map<String, Class<?>> BUILT_IN = Map.ofEntries(
            Map.entry("v1 Namespace", Namespace.class),
            Map.entry("v1 ServiceAccount", ServiceAccount.class),
            Map.entry("v1 Service", Service.class),
            Map.entry("apps/v1 Deployment", Deployment.class),
            Map.entry("apps/v1 DaemonSet", DaemonSet.class),
            Map.entry("policy/v1 PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("rbac.authorization.k8s.io/v1 ClusterRole", ClusterRole.class),
            Map.entry("rbac.authorization.k8s.io/v1 ClusterRoleBinding", ClusterRoleBinding.class),
            Map.entry("rbac.authorization.k8s.io/v1 Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1 RoleBinding", RoleBinding.class),
            Map.entry("apiextensions.k8s.io/v1 CustomResourceDefinition", CustomResourceDefinition.class));

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .build();

    /** "group/version Kind" to the version's openAPIV3Schema. */
    private final Map<String, JsonNode> crdSchemas = new HashMap<>();
    private final OpenApiSchema openApi = new OpenApiSchema();

    ObjectSchemas() throws IOException {
        if (!Files.isDirectory(GATEWAY_API_CRDS)) {
            throw new IllegalStateException("the Gateway API CRDs are not at " + GATEWAY_API_CRDS.toAbsolutePath()
                    .normalize() + " (the tests read upstream's CRDs from ../shared/gateway-api-crds/ beside the "
                    + "repository)");
        }
        load(GATEWAY_API_CRDS);
        load(Renderings.DEPLOY.resolve("crds"));
    }

    private void load(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode crd : Renderings.parse(Files.readString(f))) {
                    if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                        continue; // upstream ships a ValidatingAdmissionPolicy beside its CRDs
                    }
                    JsonNode spec = crd.path("spec");
                    for (JsonNode v : spec.path("versions")) {
                        crdSchemas.put(spec.path("group").asText() + "/" + v.path("name").asText() + " "
                                + spec.path("names").path("kind").asText(), v.path("schema").path("openAPIV3Schema"));
                    }
                }
            }
        }
    }

    /** What the API server would refuse in these objects, each naming the object and the field. */
    List<String> violations(List<JsonNode> objects) {
        List<String> out = new ArrayList<>();
        for (JsonNode o : objects) {
            String type = o.path("apiVersion").asText() + " " + o.path("kind").asText();
            String at = Renderings.id(o);
            JsonNode schema = crdSchemas.get(type);
            Class<?> model = BUILT_IN.get(type);
            if (schema != null) {
                ObjectNode body = o.deepCopy();
                strict(body.remove("metadata"), ObjectMeta.class, at + " .metadata", out);
                openApi.violations(body, schema).forEach(v -> out.add(at + " " + v));
            } else if (model != null) {
                strict(o, model, at, out);
            } else {
                out.add(at + ": no schema for " + type + " (neither a known CRD nor a built-in kind of this test)");
            }
        }
        return out;
    }

    private static void strict(JsonNode o, Class<?> model, String at, List<String> out) {
        try {
            STRICT.readValue(o == null ? "{}" : o.toString(), model);
        } catch (JacksonException e) {
            out.add(at + ": " + e.getOriginalMessage());
        }
    }
}

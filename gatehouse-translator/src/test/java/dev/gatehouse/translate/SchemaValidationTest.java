package dev.gatehouse.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Objects from informers (no file) are validated like files; any error rejects the whole config. */
class SchemaValidationTest {
    @Test
    void invalidObjectWithoutFileRejectsTheConfig() {
        HTTPRoute route = new HTTPRouteBuilder()
                .withNewMetadata().withName("r").withNamespace("apps").endMetadata()
                .withNewSpec()
                .addNewParentRef().withName("gw").endParentRef()
                .addNewRule()
                .addNewMatch().withNewPath().withType("Exact").withValue("/a/../b").endPath().endMatch()
                .addNewBackendRef().withName("svc").withPort(8080).withWeight(-1).endBackendRef()
                .endRule()
                .endSpec()
                .build();

        Translation t = new Translator(TranslatorOptions.defaults())
                .translate(new ResourceSet(List.of(new ResourceSet.Entry(route, null, 0))), 3);

        assertThat(t.hasErrors()).isTrue();
        assertThat(t.diagnostics()).extracting(Diagnostic::file, Diagnostic::resource, Diagnostic::field)
                .containsExactly(
                        tuple(null, "HTTPRoute apps/r", "spec.rules[0].matches[0].path.value"),
                        tuple(null, "HTTPRoute apps/r", "spec.rules[0].backendRefs[0].weight"));
        assertThat(t.diagnostics().get(0).describe())
                .isEqualTo("HTTPRoute apps/r: spec.rules[0].matches[0].path.value: must not contain '/../' when type one of ['Exact', 'PathPrefix']");
        assertThat(t.snapshot().generation()).isEqualTo(3);
        assertThat(t.snapshot().ports()).isEmpty();
        assertThat(t.statuses()).isEmpty();
    }
}

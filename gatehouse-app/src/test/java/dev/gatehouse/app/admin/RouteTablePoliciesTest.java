package dev.gatehouse.app.admin;

import dev.gatehouse.app.control.ConfigLoader;
import dev.gatehouse.ir.PolicyChoice;
import dev.gatehouse.translate.TranslatorOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /routes} (and the dashboard, which draws it) says which SecurityPolicy and BackendTrafficPolicy apply to
 * each rule and why: a Gateway-wide basicAuth policy is displaced on the rule a rule-level API-key policy targets,
 * and stays on the other rule; the route's BackendTrafficPolicy reaches both.
 */
class RouteTablePoliciesTest {
    @Test
    void eachRuleNamesItsPoliciesTheirTargetAndWhatTheyOverride() {
        ConfigLoader.Result loaded = new ConfigLoader(new TranslatorOptions(TranslatorOptions.DEFAULT_CONTROLLER_NAME))
                .load(Path.of("src/test/resources/explain/policies.yaml"), 1);
        assertThat(loaded.hasErrors()).as(loaded.diagnostics().toString()).isFalse();
        List<RouteTableReport.RuleView> rules = RouteTableReport.of(loaded.translation()).listeners().get(0).routes()
                .get(0).rules();
        assertThat(rules.get(0).name()).isEqualTo("api");
        assertThat(rules.get(0).policies()).containsExactly(
                new PolicyChoice("SecurityPolicy", "default/api-keys", "HTTPRoute default/shop rule api",
                        List.of("default/staff-only (Gateway default/edge)")),
                new PolicyChoice("BackendTrafficPolicy", "default/limits", "HTTPRoute default/shop", List.of()));
        assertThat(rules.get(1).name()).isEqualTo("pages");
        assertThat(rules.get(1).policies()).containsExactly(
                new PolicyChoice("SecurityPolicy", "default/staff-only", "Gateway default/edge", List.of()),
                new PolicyChoice("BackendTrafficPolicy", "default/limits", "HTTPRoute default/shop", List.of()));
    }
}

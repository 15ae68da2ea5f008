package dev.gatehouse.translate.validate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicySpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SubjectAltName;

import java.util.List;

/** BackendTLSPolicy (v1, v1alpha3) as its CRD admits it: the schema's required fields and its CEL rules. */
final class BackendTlsPolicyValidator {
    private BackendTlsPolicyValidator() {
    }

    static void validate(BackendTLSPolicySpec spec, Findings findings) {
        if (!findings.required("spec", spec)) {
            return;
        }
        if (spec.getTargetRefs() == null || spec.getTargetRefs().isEmpty()) {
            findings.error("spec.targetRefs", "at least one targetRef is required");
        } else {
            findings.maxItems("spec.targetRefs", spec.getTargetRefs(), 16);
            for (int i = 0; i < spec.getTargetRefs().size(); i++) {
                findings.required("spec.targetRefs[" + i + "].name", spec.getTargetRefs().get(i).getName());
            }
        }
        BackendTLSPolicyValidation v = spec.getValidation();
        if (!findings.required("spec.validation", v)) {
            return;
        }
        findings.required("spec.validation.hostname", v.getHostname());
        boolean refs = v.getCaCertificateRefs() != null && !v.getCaCertificateRefs().isEmpty();
        boolean wellKnown = v.getWellKnownCACertificates() != null && !v.getWellKnownCACertificates().isEmpty();
        if (refs == wellKnown) {
            findings.error("spec.validation", "exactly one of caCertificateRefs or wellKnownCACertificates must be set");
        }
        if (refs) {
            findings.maxItems("spec.validation.caCertificateRefs", v.getCaCertificateRefs(), 8);
        }
        List<SubjectAltName> sans = v.getSubjectAltNames() == null ? List.of() : v.getSubjectAltNames();
        findings.maxItems("spec.validation.subjectAltNames", sans, 5);
        for (int i = 0; i < sans.size(); i++) {
            SubjectAltName san = sans.get(i);
            String at = "spec.validation.subjectAltNames[" + i + "]";
            if (!findings.required(at + ".type", san.getType())) {
                continue;
            }
            findings.oneOf(at + ".type", san.getType(), List.of("Hostname", "URI"));
            if ("Hostname".equals(san.getType()) && (san.getHostname() == null || san.getHostname().isEmpty())) {
                findings.error(at + ".hostname", "required when type is Hostname");
            }
            if ("URI".equals(san.getType()) && (san.getUri() == null || san.getUri().isEmpty())) {
                findings.error(at + ".uri", "required when type is URI");
            }
        }
    }
}

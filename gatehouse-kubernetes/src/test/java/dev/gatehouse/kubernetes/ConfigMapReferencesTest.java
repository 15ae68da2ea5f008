package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigMapReferencesTest {

    /** Controller mode hands the translator only these: a Gateway's client CA must be among them, or mTLS breaks. */
    @Test
    void theCaBundlesOfBackendTlsPoliciesAndOfGatewayFrontendValidationAreRead() {
        BackendTLSPolicy policy = Serialization.unmarshal("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: p, namespace: apps}
                spec:
                  targetRefs: [{group: "", kind: Service, name: echo}]
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: backend-ca}]
                    hostname: echo.example.com
                """, BackendTLSPolicy.class);
        Gateway gateway = Serialization.unmarshal("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: edge, namespace: infra}
                spec:
                  gatewayClassName: gatehouse
                  listeners: [{name: https, port: 8443, protocol: HTTPS}]
                  tls:
                    frontend:
                      default:
                        validation:
                          caCertificateRefs:
                          - {group: "", kind: ConfigMap, name: client-ca}
                          - {group: "", kind: Secret, name: secret-ca}
                      perPort:
                      - port: 9443
                        tls:
                          validation:
                            caCertificateRefs: [{group: "", kind: ConfigMap, name: partner-ca, namespace: partners}]
                """, Gateway.class);

        assertThat(ConfigMapReferences.of(List.of(policy), List.of(gateway)))
                .containsExactlyInAnyOrder("apps/backend-ca", "infra/client-ca", "partners/partner-ca");
    }
}

package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectReferencesTest {

    /** Controller mode fetches only these: a listener's certificate or a Gateway's client CA must be among them. */
    @Test
    void everySecretAndConfigMapTheTranslatorReadsIsReferenced() {
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
                  listeners:
                  - name: https
                    port: 8443
                    protocol: HTTPS
                    tls:
                      certificateRefs:
                      - {name: edge-cert}
                      - {kind: Secret, name: shared-cert, namespace: certs}
                      - {group: example.com, kind: Vault, name: not-ours}
                  - {name: http, port: 8080, protocol: HTTP}
                  tls:
                    backend:
                      clientCertificateRef: {name: client-cert}
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
        ListenerSet set = Serialization.unmarshal("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: ListenerSet
                metadata: {name: team, namespace: team}
                spec:
                  parentRef: {name: edge, namespace: infra}
                  listeners:
                  - name: team
                    port: 9444
                    protocol: HTTPS
                    tls: {certificateRefs: [{name: team-cert}]}
                """, ListenerSet.class);

        GenericKubernetesResource security = Serialization.unmarshal("""
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: auth, namespace: apps}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: api}]
                  apiKeyAuth:
                    credentialRefs: [{name: api-keys}, {group: "", kind: Secret, name: partner-keys, namespace: partners}]
                    extractFrom: [{headers: [x-api-key]}]
                  basicAuth:
                    users: {name: htpasswd}
                  jwt:
                    providers:
                    - {name: local, localJWKS: {type: ValueRef, valueRef: {group: "", kind: ConfigMap, name: jwks}}}
                    - {name: remote, remoteJWKS: {uri: "https://idp.example.com/jwks"}}
                """, GenericKubernetesResource.class);

        ObjectReferences refs = ObjectReferences.of(List.of(gateway), List.of(set), List.of(policy, security));

        assertThat(refs.configMaps()).containsExactly("apps/backend-ca", "apps/jwks", "infra/client-ca", "partners/partner-ca");
        assertThat(refs.secrets()).containsExactly("apps/api-keys", "apps/htpasswd", "certs/shared-cert",
                "infra/client-cert", "infra/edge-cert", "infra/secret-ca", "partners/partner-keys", "team/team-cert");
    }

    @Test
    void oidcNamesItsClientAndCookieSecrets() {
        GenericKubernetesResource oidc = Serialization.unmarshal("""
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: login, namespace: apps}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
                  oidc:
                    provider: {issuer: https://idp.example.com}
                    clientIDRef: {name: client-id}
                    clientSecret: {name: client-secret, namespace: idp}
                    cookieSecret: {name: cookie-key}
                """, GenericKubernetesResource.class);

        assertThat(ObjectReferences.of(List.of(), List.of(), List.of(oidc)).secrets())
                .containsExactly("apps/client-id", "apps/cookie-key", "idp/client-secret");
    }
}

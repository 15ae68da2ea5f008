package dev.gatehouse.app.kubernetes;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static dev.gatehouse.app.kubernetes.KubernetesModeTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Controller mode reads the ConfigMap a SecurityPolicy's localJWKS names (it is watched by name, as referenced
 * Secrets are): tokens it verifies pass, and a key rotated in the ConfigMap goes live without a restart.
 */
class JwtKubernetesTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theJwksConfigMapIsReadAndItsRotationGoesLive() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("one").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("two").generate();
        try (MockCluster cluster = new MockCluster().withGatewayApi().withGatehouseCrds();
             EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default")) {
            KubernetesClient api = cluster.client;
            int port = KubernetesModeTest.freePort();
            for (String doc : (KubernetesModeTest.resources(port, pod.address().getPort()) + """
                    ---
                    apiVersion: gatehouse.dev/v1alpha1
                    kind: SecurityPolicy
                    metadata: {name: jwt, namespace: default}
                    spec:
                      targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: echo}]
                      jwt:
                        providers:
                        - name: idp
                          localJWKS: {type: ValueRef, valueRef: {group: "", kind: ConfigMap, name: jwks}}
                    """).split("\n---\n")) {
                api.resource(doc).create();
            }
            api.configMaps().inNamespace("default").resource(jwks(first)).create();
            try (Replica replica = new Replica(api, KubernetesModeTest.settings(), "127.0.0.1")) {
                eventually().untilAsserted(() -> assertThat(get(port, token(first)).statusCode()).isEqualTo(200));
                assertThat(get(port, null).statusCode()).isEqualTo(401);
                assertThat(get(port, token(second)).statusCode()).isEqualTo(401);

                api.configMaps().inNamespace("default").resource(jwks(second)).update();
                eventually().untilAsserted(() -> assertThat(get(port, token(second)).statusCode()).isEqualTo(200));
                assertThat(get(port, token(first)).statusCode()).isEqualTo(401);
            }
        }
    }

    private static io.fabric8.kubernetes.api.model.ConfigMap jwks(ECKey key) {
        return new ConfigMapBuilder().withNewMetadata().withName("jwks").withNamespace("default").endMetadata()
                .withData(Map.of("jwks", new JWKSet(key.toPublicJWK()).toString())).build();
    }

    private static String token(ECKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().subject("alice").build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private HttpResponse<String> get(int port, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package dev.gatehouse.e2e;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A SecurityPolicy's and a rate limit's answers to a real grpc-java client over h2c: a gRPC client reads only a
 * status, so the gateway's 401/403/429/500 are Trailers-Only answers (HTTP 200, grpc-status UNAUTHENTICATED,
 * PERMISSION_DENIED, RESOURCE_EXHAUSTED, INTERNAL), as Envoy sends them. grpc-java would turn a bare HTTP 401 into
 * UNAUTHENTICATED too, but with the description "HTTP status code 401": the checks on the description tell the two
 * apart. The rules of one GRPCRoute, each targeted by its own policy through {@code sectionName}.
 */
@Timeout(180)
class GrpcPolicyAnswersEndToEndTest {
    private static final long DEADLINE_SECONDS = 30;
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    static Path dir;

    static GrpcEcho echo;
    static GatewayProcess gateway;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        echo = new GrpcEcho("a");
        int port = GatewayProcess.freePort();
        String config = Configs.gateway("  - {name: h2c, protocol: HTTP, port: %d}\n".formatted(port))
                + Configs.service("echo", echo.port(), "kubernetes.io/h2c") + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - name: keyed
                    matches: [{method: {service: echo.v1.Echo, method: Unary}}]
                    backendRefs: [{name: echo, port: 80}]
                  - name: limited
                    matches: [{method: {service: echo.v1.Echo, method: ServerStream}}]
                    backendRefs: [{name: echo, port: 80}]
                  - name: closed
                    matches: [{method: {service: closed.v1.Closed}}]
                    backendRefs: [{name: echo, port: 80}]
                  - name: broken
                    matches: [{method: {service: broken.v1.Broken}}]
                    backendRefs: [{name: echo, port: 80}]
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: keys, namespace: default}
                stringData: {ann: annskey}
                """ + keyPolicy("keyed", "keys", "") + keyPolicy("closed", "keys", "  authorization: {defaultAction: Deny}\n")
                + keyPolicy("broken", "no-such-secret", "") + """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: BackendTrafficPolicy
                metadata: {name: limited, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: GRPCRoute, name: echo, sectionName: limited}]
                  rateLimit:
                    local:
                      rules:
                      - limit: {requests: 2, unit: Hour}
                """;
        Configs.write(dir.resolve("gateway.yaml"), config);
        gateway = GatewayProcess.start(dir, "-Xmx256m");
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** A SecurityPolicy on the GRPCRoute rule of its own name, taking API keys of {@code secret} from x-api-key. */
    private static String keyPolicy(String name, String secret, String more) {
        return """
                ---
                apiVersion: gatehouse.dev/v1alpha1
                kind: SecurityPolicy
                metadata: {name: %1$s, namespace: default}
                spec:
                  targetRefs: [{group: gateway.networking.k8s.io, kind: GRPCRoute, name: echo, sectionName: %1$s}]
                  apiKeyAuth:
                    credentialRefs: [{name: %2$s}]
                    extractFrom: [{headers: [x-api-key]}]
                """.formatted(name, secret) + more;
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    private static ClientCall<String, String> call(MethodDescriptor<String, String> method, String key) {
        Metadata headers = new Metadata();
        if (key != null) {
            headers.put(API_KEY, key);
        }
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers))
                .newCall(method, CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }

    private static StatusRuntimeException refused(MethodDescriptor<String, String> method, String key) {
        try {
            ClientCalls.blockingUnaryCall(call(method, key), "x");
        } catch (StatusRuntimeException e) {
            assertThat(String.valueOf(e.getStatus().getDescription())).as(e.getStatus().toString())
                    .doesNotContain("HTTP status code");
            return e;
        }
        throw new AssertionError(method.getFullMethodName() + " was let through");
    }

    @Test
    void aMissingOrWrongApiKeyIsUnauthenticatedAndTheRightOneGetsThrough() {
        for (String key : new String[] {null, "wrong"}) {
            StatusRuntimeException e = refused(GrpcEcho.UNARY, key);
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo("Client authentication failed.");
            // the challenge stays: a header of the Trailers-Only answer
            assertThat(e.getTrailers().get(Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER)))
                    .startsWith("ApiKey");
        }
        assertThat(ClientCalls.blockingUnaryCall(call(GrpcEcho.UNARY, "annskey"), "hi")).isEqualTo("a:hi");
    }

    @Test
    void anIdentifiedCallerTheRulesRefuseIsPermissionDenied() {
        StatusRuntimeException e = refused(GrpcEcho.method("closed.v1.Closed", "Call",
                MethodDescriptor.MethodType.UNARY), "annskey");
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void anInvalidPolicyFailsClosedAsInternal() {
        StatusRuntimeException e = refused(GrpcEcho.method("broken.v1.Broken", "Call",
                MethodDescriptor.MethodType.UNARY), "annskey");
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.INTERNAL);
        assertThat(e.getStatus().getDescription()).contains("default/broken is an invalid SecurityPolicy");
    }

    @Test
    void aSpentLocalLimitIsResourceExhaustedWithItsRateLimitHeaders() {
        for (int i = 0; i < 2; i++) {
            assertThat(ClientCalls.blockingServerStreamingCall(call(GrpcEcho.SERVER_STREAM, null), "1").next())
                    .isEqualTo("a:0");
        }
        StatusRuntimeException e;
        try {
            ClientCalls.blockingServerStreamingCall(call(GrpcEcho.SERVER_STREAM, null), "1").next();
            throw new AssertionError("the third call was let through");
        } catch (StatusRuntimeException thrown) {
            e = thrown;
        }
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription()).isEqualTo("local_rate_limited");
        assertThat(e.getTrailers().get(Metadata.Key.of("x-ratelimit-limit", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("2");
        assertThat(e.getTrailers().get(Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER))).isNotNull();
    }
}

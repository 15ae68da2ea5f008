package dev.gatehouse.e2e;

import dev.gatehouse.e2e.TestCertificates.KeyForm;
import dev.gatehouse.e2e.TestCertificates.Pem;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GRPCRoute through the real jar with grpc-java on both sides: a client over h2c (cleartext listener, prior
 * knowledge) and over h2 (HTTPS listener, ALPN, the test certificate as trust anchor) reaches grpc-java servers
 * behind Service ports with appProtocol kubernetes.io/h2c. Unary and the three streaming kinds, trailers and a
 * server's error status relayed, a method and header match choosing the backend, and the gateway's own answers
 * gRPC-shaped: UNIMPLEMENTED where no rule matches, UNAVAILABLE for a dead backend.
 */
@Timeout(180)
class GrpcEndToEndTest {
    /** generous: a busy machine; every call normally takes milliseconds */
    private static final long DEADLINE_SECONDS = 30;
    private static final String H2C = "kubernetes.io/h2c";

    @TempDir
    static Path dir;

    static GrpcEcho a;
    static GrpcEcho b;
    static GatewayProcess gateway;
    static Map<String, ManagedChannel> channels;

    @BeforeAll
    static void start() throws Exception {
        Pem cert = TestCertificates.create(dir, "grpc", KeyForm.SEC1_EC, "DNS:grpc.test");
        a = new GrpcEcho("a");
        b = new GrpcEcho("b");
        int h2c = GatewayProcess.freePort();
        int h2 = GatewayProcess.freePort();
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort(); // closed again at once: connections to it are refused
        }
        String config = Configs.gateway("""
                  - {name: h2c, protocol: HTTP, port: %d}
                  - {name: h2, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: grpc}]}}
                """.formatted(h2c, h2))
                // Service ports that speak cleartext HTTP/2, as their appProtocol says
                + Configs.service("echo-a", a.port(), H2C) + Configs.service("echo-b", b.port(), H2C)
                + Configs.service("dead", dead, H2C)
                + cert.secret() + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: echo, namespace: default}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - matches:
                    - method: {service: echo.v1.Echo, method: Unary}
                      headers: [{name: x-pick, value: b}]
                    backendRefs: [{name: echo-b, port: 80}]
                  - matches:
                    - method: {service: echo.v1.Echo}
                    backendRefs: [{name: echo-a, port: 80}]
                  - matches:
                    - method: {service: dead.v1.Dead}
                    backendRefs: [{name: dead, port: 80}]
                  - matches:
                    - method: {service: gone.v1.Gone}
                    backendRefs: [{name: missing, port: 80}]
                """;
        Configs.write(dir.resolve("gateway.yaml"), config);
        gateway = GatewayProcess.start(dir, "-Xmx256m");
        channels = Map.of(
                "h2c", NettyChannelBuilder.forAddress("127.0.0.1", h2c).usePlaintext().build(),
                "h2", NettyChannelBuilder.forAddress("127.0.0.1", h2).overrideAuthority("grpc.test")
                        .sslContext(GrpcSslContexts.forClient().trustManager(cert.crt().toFile()).build()).build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (channels != null) {
            for (ManagedChannel c : channels.values()) {
                c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
        if (gateway != null) {
            gateway.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static <Q, R> ClientCall<Q, R> call(String channel, MethodDescriptor<Q, R> method) {
        return channels.get(channel).newCall(method, CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS,
                TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void unaryCallsReachTheBackendWithItsHeadersAndTrailers(String channel) {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        ClientCall<String, String> call = ClientInterceptors.intercept(channels.get(channel),
                        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .newCall(GrpcEcho.UNARY, CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
        assertThat(ClientCalls.blockingUnaryCall(call, "hello")).isEqualTo("a:hello");
        assertThat(headers.get().get(Metadata.Key.of("content-type", Metadata.ASCII_STRING_MARSHALLER)))
                .startsWith("application/grpc");
        // grpc-status travels in the trailers: the call succeeding at all means it arrived as 0
        assertThat(trailers.get()).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void serverStreamingRelaysEveryMessageInOrder(String channel) {
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(call(channel, GrpcEcho.SERVER_STREAM), "50");
        List<String> got = new ArrayList<>();
        it.forEachRemaining(got::add);
        assertThat(got).hasSize(50).startsWith("a:0", "a:1").endsWith("a:49");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void clientStreamingSendsEveryMessageBeforeTheAnswer(String channel) throws Exception {
        Collected<String> answer = new Collected<>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(call(channel, GrpcEcho.CLIENT_STREAM),
                answer);
        for (int i = 0; i < 20; i++) {
            requests.onNext(Integer.toString(i % 10));
        }
        requests.onCompleted();
        assertThat(answer.done.get(DEADLINE_SECONDS, TimeUnit.SECONDS)).containsExactly("a:01234567890123456789");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void bidiStreamingEchoesEachMessageWhileTheCallIsOpen(String channel) throws Exception {
        Collected<String> answers = new Collected<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(call(channel, GrpcEcho.BIDI), answers);
        for (int i = 0; i < 10; i++) {
            requests.onNext("m" + i);
            // each answer arrives before the next request is sent: the streams are relayed as they flow
            int expected = i + 1;
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(DEADLINE_SECONDS))
                    .until(() -> answers.items.size() == expected);
        }
        requests.onCompleted();
        assertThat(answers.done.get(DEADLINE_SECONDS, TimeUnit.SECONDS)).hasSize(10).startsWith("a:m0").endsWith("a:m9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void aServersErrorStatusAndTrailersReachTheClient(String channel) {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(call(channel, GrpcEcho.FAIL), "x"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                            .isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo("refused x");
                    assertThat(e.getTrailers().get(GrpcEcho.TRAILER)).isEqualTo("a:x");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void aMethodAndHeaderMatchChoosesTheBackend(String channel) {
        Metadata pick = new Metadata();
        pick.put(Metadata.Key.of("x-pick", Metadata.ASCII_STRING_MARSHALLER), "b");
        ClientCall<String, String> call = ClientInterceptors.intercept(channels.get(channel),
                        MetadataUtils.newAttachHeadersInterceptor(pick))
                .newCall(GrpcEcho.UNARY, CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
        assertThat(ClientCalls.blockingUnaryCall(call, "hi")).isEqualTo("b:hi");
        // the header alone does not move other methods of the service
        assertThat(ClientCalls.blockingServerStreamingCall(call(channel, GrpcEcho.SERVER_STREAM), "1").next())
                .isEqualTo("a:0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void aMethodNoRuleMatchesIsUnimplementedInGrpcTerms(String channel) {
        assertGatewayAnswered(channel, GrpcEcho.method("nope.v1.Missing", "Call", MethodDescriptor.MethodType.UNARY),
                Status.Code.UNIMPLEMENTED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void aDeadBackendIsUnavailableInGrpcTerms(String channel) {
        assertGatewayAnswered(channel, GrpcEcho.method("dead.v1.Dead", "Call", MethodDescriptor.MethodType.UNARY),
                Status.Code.UNAVAILABLE);
    }

    /** The spec: a call routed to an invalid backendRef (here a Service that does not exist) gets UNAVAILABLE. */
    @ParameterizedTest
    @ValueSource(strings = {"h2c", "h2"})
    void anInvalidBackendRefIsUnavailableInGrpcTerms(String channel) {
        assertGatewayAnswered(channel, GrpcEcho.method("gone.v1.Gone", "Call", MethodDescriptor.MethodType.UNARY),
                Status.Code.UNAVAILABLE);
    }

    /**
     * grpc-java turns a bare HTTP 404 or 503 into UNIMPLEMENTED or UNAVAILABLE too, with a description saying
     * "HTTP status code": the gateway's answer must be a gRPC status itself (HTTP 200, grpc-status in trailers).
     */
    private static void assertGatewayAnswered(String channel, MethodDescriptor<String, String> method, Status.Code code) {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(call(channel, method), "x"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
                    assertThat(String.valueOf(e.getStatus().getDescription())).doesNotContain("HTTP status code");
                });
    }

    /** Collects a call's answers; {@code done} completes with all of them, or with the call's error. */
    static final class Collected<T> implements StreamObserver<T> {
        final List<T> items = java.util.Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<List<T>> done = new CompletableFuture<>();

        @Override
        public void onNext(T value) {
            items.add(value);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(List.copyOf(items));
        }
    }
}

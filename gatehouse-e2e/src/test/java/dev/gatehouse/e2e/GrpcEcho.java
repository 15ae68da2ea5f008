package dev.gatehouse.e2e;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-java server on loopback (cleartext HTTP/2 with prior knowledge, as a Service port with appProtocol
 * kubernetes.io/h2c promises) serving {@code echo.v1.Echo} with one method of each kind, plus one that fails.
 * Messages are UTF-8 strings through a hand-written marshaller, so no protoc is needed. Every answer starts with the
 * server's name, so a test sees which backend a call reached.
 */
final class GrpcEcho implements AutoCloseable {
    static final String SERVICE = "echo.v1.Echo";
    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<String, String> UNARY = method(SERVICE, "Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> SERVER_STREAM = method(SERVICE, "ServerStream",
            MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> CLIENT_STREAM = method(SERVICE, "ClientStream",
            MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> BIDI = method(SERVICE, "Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final MethodDescriptor<String, String> FAIL = method(SERVICE, "Fail", MethodDescriptor.MethodType.UNARY);
    static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-echo-trailer", Metadata.ASCII_STRING_MARSHALLER);

    private final Server server;

    GrpcEcho(String name) throws IOException {
        ServerServiceDefinition echo = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(name + ":" + req);
                    out.onCompleted();
                }))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(req);
                    for (int i = 0; i < n; i++) {
                        out.onNext(name + ":" + i);
                    }
                    out.onCompleted();
                }))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    private final StringBuilder all = new StringBuilder();

                    @Override
                    public void onNext(String value) {
                        all.append(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext(name + ":" + all);
                        out.onCompleted();
                    }
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext(name + ":" + value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(TRAILER, name + ":" + req);
                    out.onError(Status.FAILED_PRECONDITION.withDescription("refused " + req).asRuntimeException(trailers));
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo).build().start();
    }

    static MethodDescriptor<String, String> method(String service, String method, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}

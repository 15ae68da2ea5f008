package dev.gatehouse.app.kubernetes;

import dev.gatehouse.app.demo.EchoServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatchBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API server goes away (every connection to it cut, new ones refused): the last good config keeps serving, and
 * once it is back the informers reconnect and resync what changed meanwhile, without a restart.
 */
@Timeout(180)
class ApiOutageTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theLastGoodConfigServesWhileTheApiIsGoneAndWhatChangedMeanwhileArrivesAfter() throws Exception {
        try (MockCluster cluster = new MockCluster().withGatewayApi().withGatehouseCrds();
             EchoServer pod = new EchoServer(new InetSocketAddress("127.0.0.1", 0), "pod-a", "default");
             Relay relay = new Relay(cluster.port())) {
            KubernetesClient api = cluster.client;
            int port = KubernetesModeTest.freePort();
            for (String doc : KubernetesModeTest.resources(port, pod.address().getPort()).split("\n---\n")) {
                api.resource(doc).create();
            }
            try (KubernetesClient throughRelay = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                    api.getConfiguration()).withMasterUrl("http://127.0.0.1:" + relay.port()).build()).build();
                 Replica replica = new Replica(throughRelay, KubernetesModeTest.settings(), "127.0.0.1")) {
                assertThat(status(port, "/hello")).isEqualTo(200);

                relay.cut();
                KubernetesModeTest.edit(api, HTTPRoute.class, "echo", r -> {
                    r.getSpec().getRules().get(0).setMatches(List.of(new HTTPRouteMatchBuilder().withNewPath()
                            .withType("PathPrefix").withValue("/v2").endPath().build()));
                    return r;
                });
                Thread.sleep(3000); // gatehouse's watches and requests fail meanwhile
                // the route now matches /v2 only: /hello answering shows the change has not arrived
                assertThat(status(port, "/hello")).as("the last good config").isEqualTo(200);

                relay.restore();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> status(port, "/v2/x") == 200 && status(port, "/hello") == 404);
            }
        }
    }

    private int status(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A TCP relay on loopback to the API server that can cut every connection and refuse new ones for a while. */
    private static final class Relay implements AutoCloseable {
        private final int target;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private final int port;
        private volatile ServerSocket listening;

        Relay(int target) throws IOException {
            this.target = target;
            listening = listen(0);
            port = listening.getLocalPort();
        }

        int port() {
            return port;
        }

        void cut() throws IOException {
            listening.close();
            for (Socket s : sockets) {
                s.close();
            }
        }

        void restore() throws IOException {
            listening = listen(port);
        }

        private ServerSocket listen(int at) throws IOException {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), at));
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                        sockets.add(client);
                        sockets.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "relay-accept");
            accept.setDaemon(true);
            accept.start();
            return server;
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException closed) {
                    // cut, or the peer closed: close both below
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        private void closeQuietly(Socket s) {
            sockets.remove(s);
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void close() throws IOException {
            cut();
        }
    }
}

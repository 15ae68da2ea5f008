package dev.gatehouse.proxy.attack;

import dev.gatehouse.proxy.attack.AttackCatalogue.Attack;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.RawHttp.Reply;
import dev.gatehouse.proxy.testing.RecordingBackend;
import dev.gatehouse.proxy.testing.RecordingBackend.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same attack table against Debian's nginx (1.22) in front of the same {@link RecordingBackend}, with the same
 * contract ({@code location /admin { return 403; }}, everything else proxied with HTTP/1.1 keep-alive): a sanity
 * check that each attack is real, and a record of where the reference proxy differs. It asserts only what any sane
 * edge proxy must do with the framing attacks (no smuggled or irregular request at the backend); every difference
 * from gatehouse is printed and written to {@code target/nginx-comparison.txt} (summarised in docs/security.md).
 * Skipped when nginx is not installed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NginxSanityTest {
    static final Path NGINX = Path.of("/usr/sbin/nginx");
    static RecordingBackend backend;
    static Process nginx;
    static int port;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(NGINX), "nginx not installed");
        backend = new RecordingBackend();
        port = HardeningAttackTest.freePort();
        Files.createDirectories(dir.resolve("logs"));
        String conf = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream app { server 127.0.0.1:%2$d; keepalive 4; }
                  server {
                    listen 127.0.0.1:%3$d;
                    location /admin { return 403 "forbidden\\n"; }
                    location / {
                      proxy_pass http://app;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_set_header X-Forwarded-Proto $scheme;
                    }
                  }
                }
                """.formatted(dir, backend.address().getPort(), port);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - end < 0) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("logs/stdout")));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.destroy();
            try {
                nginx.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            nginx.destroyForcibly();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void everyAttackIsRealAndNginxNeutralisesTheFramingOnes() throws Exception {
        List<String> differences = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Attack attack : AttackCatalogue.all()) {
            backend.clear();
            Reply reply = RawHttp.send(port, attack.raw(), 400);
            backend.await(attack.outcome() == AttackCatalogue.Outcome.ONE ? 1 : 0, 1000);
            Thread.sleep(40);
            List<Received> seen = backend.requests();
            String outcome = seen.isEmpty() ? "backend saw nothing" : "backend saw " + seen;
            boolean same = reply.status() == attack.status() && (attack.outcome() == AttackCatalogue.Outcome.NONE
                    ? seen.isEmpty() : seen.size() == 1 && seen.get(0).regular() && seen.get(0).path().equals(attack.path())
                    && attack.check().test(seen.get(0)));
            if (!same) {
                differences.add(String.format("%-50s gatehouse %d, nginx %d; %s", attack, attack.status(), reply.status(),
                        outcome));
            }
            if (attack.smuggling()) {
                boolean smuggled = seen.size() > 1 || seen.stream().anyMatch(r -> r.path().startsWith("/admin"));
                if (smuggled) {
                    failures.add(attack + ": " + outcome);
                }
            }
        }
        String report = "nginx 1.22 vs gatehouse, " + AttackCatalogue.all().size() + " attacks, "
                + differences.size() + " differ:\n" + String.join("\n", differences) + "\n";
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/nginx-comparison.txt"), report);
        assertThat(failures).as("framing attacks that got a second request past nginx").isEmpty();
    }
}

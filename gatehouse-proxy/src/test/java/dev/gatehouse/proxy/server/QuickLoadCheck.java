package dev.gatehouse.proxy.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;

/**
 * Not a benchmark (the lead's side-by-side run is): a smoke load with h2load to see that keep-alive
 * h1 and h2c requests flow at a sane rate and without errors. Run with -Dgatehouse.load=true.
 */
@EnabledIfSystemProperty(named = "gatehouse.load", matches = "true")
class QuickLoadCheck {

    @Test
    void h2load() throws Exception {
        ProxyIntegrationTest.start();
        try {
            for (String[] args : new String[][] {
                    {"--h1", "-n", "20000", "-c", "20"},
                    {"-n", "20000", "-c", "10", "-m", "10"},
                    {"--h1", "-n", "20000", "-c", "20", "DIRECT"}}) {
                String url = args[args.length - 1].equals("DIRECT")
                        ? "http://127.0.0.1:" + ProxyIntegrationTest.backend.address().getPort() + "/x"
                        : ProxyIntegrationTest.url("/x");
                java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("/usr/bin/h2load"));
                for (String a : args) {
                    if (!a.equals("DIRECT")) {
                        cmd.add(a);
                    }
                }
                cmd.add(url);
                // warm-up then measure
                new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                System.out.println(String.join(" ", cmd) + "\n" + out.lines()
                        .filter(l -> l.startsWith("finished") || l.startsWith("requests:") || l.startsWith("status codes"))
                        .reduce("", (a, b) -> a + b + "\n"));
            }
        } finally {
            ProxyIntegrationTest.stop();
        }
    }
}

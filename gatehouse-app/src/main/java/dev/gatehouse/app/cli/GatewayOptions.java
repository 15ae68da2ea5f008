package dev.gatehouse.app.cli;

import dev.gatehouse.translate.TranslatorOptions;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;

/** Options shared by {@code run} and {@code demo}. */
public final class GatewayOptions {
    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address the listeners bind on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--admin", defaultValue = "127.0.0.1:9901",
            description = "Admin endpoint host:port, or 'off' (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME,
            description = "Serve GatewayClasses with this controllerName (default: ${DEFAULT-VALUE}).")
    String controllerName;

    @Option(names = "--io-threads", defaultValue = "0",
            description = "Event loops; 0 = one per available processor (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    InetSocketAddress adminAddress() {
        if ("off".equalsIgnoreCase(admin)) {
            return null;
        }
        int colon = admin.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--admin must be host:port or 'off', got " + admin);
        }
        String host = admin.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(admin.substring(colon + 1)));
    }
}

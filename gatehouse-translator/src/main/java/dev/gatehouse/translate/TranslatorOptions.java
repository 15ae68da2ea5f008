package dev.gatehouse.translate;

import dev.gatehouse.ir.Protocol;

import java.util.Set;

/**
 * @param controllerName GatewayClasses whose controllerName equals this are ours
 * @param servedProtocols the listener protocols the data plane binds; a listener of another protocol the
 *                        translator understands is validated but not programmed, and says so
 * @param leaveOutRefused controller mode: an object the validation refuses is left out (and says so in its
 *                        status) rather than refusing the whole config, as a broken file does
 */
public record TranslatorOptions(String controllerName, Set<Protocol> servedProtocols, boolean leaveOutRefused) {
    public static final String DEFAULT_CONTROLLER_NAME = "gatehouse.dev/gateway-controller";
    /** What gatehouse's data plane serves today: the proxy's {@code GatewayServer.SERVED_PROTOCOLS}. */
    public static final Set<Protocol> SERVED_PROTOCOLS = Set.of(Protocol.HTTP, Protocol.HTTPS, Protocol.TCP,
            Protocol.TLS, Protocol.UDP);

    public TranslatorOptions {
        servedProtocols = Set.copyOf(servedProtocols);
    }

    public TranslatorOptions(String controllerName, Set<Protocol> servedProtocols) {
        this(controllerName, servedProtocols, false);
    }

    /** These options for the API: one object's mistake must not freeze every other change in the cluster. */
    public TranslatorOptions leavingOutRefused() {
        return new TranslatorOptions(controllerName, servedProtocols, true);
    }

    public TranslatorOptions(String controllerName) {
        this(controllerName, SERVED_PROTOCOLS);
    }

    public static TranslatorOptions defaults() {
        return new TranslatorOptions(DEFAULT_CONTROLLER_NAME);
    }
}

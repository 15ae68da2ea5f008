package dev.gatehouse.ir;

/** The protocol the data plane speaks to a backend, chosen by the Service port's {@code appProtocol}. */
public enum BackendProtocol {
    /** HTTP/1.1, the default; WebSocket handshakes ({@code kubernetes.io/ws}) upgrade on it */
    HTTP_1_1,
    /** HTTP/2 with prior knowledge ({@code kubernetes.io/h2c} when cleartext): many requests share a connection */
    HTTP_2
}

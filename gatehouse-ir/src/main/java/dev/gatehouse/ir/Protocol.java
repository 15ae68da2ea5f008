package dev.gatehouse.ir;

/** The protocol a port speaks, from Gateway listener {@code protocol}. */
public enum Protocol {
    HTTP, HTTPS, TLS, TCP, UDP;

    /** True for the protocols whose listeners carry L4 routes (TCPRoute, TLSRoute, UDPRoute), not HTTP rules. */
    public boolean isL4() {
        return this == TLS || this == TCP || this == UDP;
    }
}

package dev.gatehouse.ir;

/** The protocol a port speaks, from Gateway listener {@code protocol}. */
public enum Protocol {
    HTTP, HTTPS, TLS, TCP, UDP
}

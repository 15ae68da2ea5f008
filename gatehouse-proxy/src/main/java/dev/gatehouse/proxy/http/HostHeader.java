package dev.gatehouse.proxy.http;

/** The gateway's reading of a Host header, for those that check a request's host before it is routed (the edge). */
public final class HostHeader {
    private HostHeader() {
    }

    /**
     * Validates "host[:port]" / "[v6]:port" as routing does.
     *
     * @return the host in lower case without the port, or null when the value is not a valid host
     */
    public static String withoutPort(CharSequence value) {
        return RequestTarget.hostWithoutPort(value);
    }
}

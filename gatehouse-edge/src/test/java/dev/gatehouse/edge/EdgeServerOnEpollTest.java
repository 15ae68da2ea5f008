package dev.gatehouse.edge;

/** Every {@link EdgeServerTest} case on epoll, the transport where io_uring is unavailable (or --transport epoll). */
class EdgeServerOnEpollTest extends EdgeServerTest {
    @Override
    EdgeOptions.Transport transport() {
        return EdgeOptions.Transport.EPOLL;
    }
}

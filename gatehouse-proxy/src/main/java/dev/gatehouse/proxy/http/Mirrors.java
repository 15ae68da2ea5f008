package dev.gatehouse.proxy.http;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import dev.gatehouse.proxy.observe.MirrorResult;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.proxy.upstream.UpstreamPool;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** The mirror copies of one request (RequestMirror filters); each chunk is offered as a retained duplicate. */
final class Mirrors {
    private final List<MirrorExchange> copies;

    private Mirrors(List<MirrorExchange> copies) {
        this.copies = copies;
    }

    /**
     * Starts one copy per cluster that has an endpoint, with a copy of the (already rewritten) head and of
     * the body chunks received so far. Each copy's end is reported to {@code observer} (when not null); a
     * cluster without a ready endpoint is reported as dropped at once.
     *
     * @return null when there is nothing to mirror
     */
    static Mirrors start(List<Cluster> targets, HttpRequest head, Iterable<HttpContent> bodySoFar, UpstreamPool pool,
                         long timeoutNanos, ExchangeObserver observer, Route route) {
        if (targets.isEmpty()) {
            return null;
        }
        List<MirrorExchange> copies = new ArrayList<>(targets.size());
        for (Cluster cluster : targets) {
            InetSocketAddress target = cluster.pick();
            if (target == null) {
                MirrorExchange.report(observer, route, cluster, MirrorResult.DROPPED);
                continue;
            }
            HttpRequest copy = new DefaultHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                    head.headers().copy());
            MirrorExchange m = new MirrorExchange(pool, target, copy, timeoutNanos, observer, route, cluster);
            copies.add(m);
            if (bodySoFar != null) {
                for (HttpContent c : bodySoFar) {
                    m.offer(c.retainedDuplicate());
                }
            }
            m.start();
        }
        return copies.isEmpty() ? null : new Mirrors(copies);
    }

    void offer(HttpContent c) {
        for (int i = 0; i < copies.size(); i++) {
            copies.get(i).offer(c.retainedDuplicate());
        }
    }

    void flush() {
        for (int i = 0; i < copies.size(); i++) {
            copies.get(i).flush();
        }
    }

    void abortIncomplete() {
        for (int i = 0; i < copies.size(); i++) {
            copies.get(i).abortIfIncomplete();
        }
    }
}

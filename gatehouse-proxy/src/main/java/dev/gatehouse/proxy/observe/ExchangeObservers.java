package dev.gatehouse.proxy.observe;

import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.route.Route;
import dev.gatehouse.routing.runtime.RuntimeSnapshot;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;

/**
 * Several observers as one, called in order; an empty list is {@link ExchangeObserver#NOOP}. The per-request
 * hooks call only the observers that implement them (found once, here): most observers leave most hooks at
 * their no-op default, and each call through this composite is a megamorphic interface call per request.
 */
public final class ExchangeObservers implements ExchangeObserver {
    private final ExchangeObserver[] all;
    private final ExchangeObserver[] requestStart;
    private final ExchangeObserver[] upstreamRequest;
    private final ExchangeObserver[] responseHead;
    private final ExchangeObserver[] complete;

    private ExchangeObservers(List<ExchangeObserver> all) {
        this.all = all.toArray(new ExchangeObserver[0]);
        this.requestStart = implementing(all, "onRequestStart", RequestLog.class);
        this.upstreamRequest = implementing(all, "onUpstreamRequest", RequestLog.class, HttpHeaders.class);
        this.responseHead = implementing(all, "onResponseHead", RequestLog.class);
        this.complete = implementing(all, "onComplete", RequestLog.class);
    }

    /** The observers whose class overrides the hook's no-op default. */
    private static ExchangeObserver[] implementing(List<ExchangeObserver> all, String hook, Class<?>... params) {
        return all.stream().filter(o -> {
            try {
                return o.getClass().getMethod(hook, params).getDeclaringClass() != ExchangeObserver.class;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("ExchangeObserver has no hook " + hook, e);
            }
        }).toArray(ExchangeObserver[]::new);
    }

    public static ExchangeObserver of(List<ExchangeObserver> observers) {
        List<ExchangeObserver> real = observers.stream().filter(o -> o != null && o != NOOP).toList();
        if (real.isEmpty()) {
            return NOOP;
        }
        return real.size() == 1 ? real.get(0) : new ExchangeObservers(real);
    }

    @Override
    public void bind(RuntimeSnapshot snapshot) {
        for (ExchangeObserver o : all) {
            o.bind(snapshot);
        }
    }

    @Override
    public void onRequestStart(RequestLog log) {
        for (ExchangeObserver o : requestStart) {
            o.onRequestStart(log);
        }
    }

    @Override
    public void onUpstreamRequest(RequestLog log, HttpHeaders upstreamHeaders) {
        for (ExchangeObserver o : upstreamRequest) {
            o.onUpstreamRequest(log, upstreamHeaders);
        }
    }

    @Override
    public boolean readsUpstreamRequest() {
        return upstreamRequest.length > 0;
    }

    @Override
    public void onResponseHead(RequestLog log) {
        for (ExchangeObserver o : responseHead) {
            o.onResponseHead(log);
        }
    }

    @Override
    public void onComplete(RequestLog log) {
        for (ExchangeObserver o : complete) {
            o.onComplete(log);
        }
    }

    @Override
    public void connectionOpened(int port, String protocol) {
        for (ExchangeObserver o : all) {
            o.connectionOpened(port, protocol);
        }
    }

    @Override
    public void connectionClosed(int port, String protocol) {
        for (ExchangeObserver o : all) {
            o.connectionClosed(port, protocol);
        }
    }

    @Override
    public void streamOpened() {
        for (ExchangeObserver o : all) {
            o.streamOpened();
        }
    }

    @Override
    public void streamClosed() {
        for (ExchangeObserver o : all) {
            o.streamClosed();
        }
    }

    @Override
    public void onMirrorComplete(Route route, Cluster mirror, MirrorResult result) {
        for (ExchangeObserver o : all) {
            o.onMirrorComplete(route, mirror, result);
        }
    }

    @Override
    public void filterFailed(Route route, String phase) {
        for (ExchangeObserver o : all) {
            o.filterFailed(route, phase);
        }
    }

    @Override
    public void upstreamOverflow(String cluster, String limit) {
        for (ExchangeObserver o : all) {
            o.upstreamOverflow(cluster, limit);
        }
    }

    @Override
    public void upstreamRetry(String cluster, String outcome) {
        for (ExchangeObserver o : all) {
            o.upstreamRetry(cluster, outcome);
        }
    }

    @Override
    public void http2StreamError(int port, String reason) {
        for (ExchangeObserver o : all) {
            o.http2StreamError(port, reason);
        }
    }

    @Override
    public void http2GoAwaySent(int port, String error) {
        for (ExchangeObserver o : all) {
            o.http2GoAwaySent(port, error);
        }
    }

    @Override
    public void l4Opened(L4Log log) {
        for (ExchangeObserver o : all) {
            o.l4Opened(log);
        }
    }

    @Override
    public void l4Closed(L4Log log) {
        for (ExchangeObserver o : all) {
            o.l4Closed(log);
        }
    }

    @Override
    public void udpDatagramDropped(int port, String reason) {
        for (ExchangeObserver o : all) {
            o.udpDatagramDropped(port, reason);
        }
    }

    @Override
    public void proxyProtocolRejected(int port) {
        for (ExchangeObserver o : all) {
            o.proxyProtocolRejected(port);
        }
    }
}

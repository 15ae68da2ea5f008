package dev.gatehouse.proxy.observe;

import dev.gatehouse.proxy.balance.Cluster;
import dev.gatehouse.proxy.route.Route;
import dev.gatehouse.proxy.runtime.RuntimeSnapshot;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;

/** Several observers as one, called in order; an empty list is {@link ExchangeObserver#NOOP}. */
public final class ExchangeObservers implements ExchangeObserver {
    private final ExchangeObserver[] all;

    private ExchangeObservers(List<ExchangeObserver> all) {
        this.all = all.toArray(new ExchangeObserver[0]);
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
        for (ExchangeObserver o : all) {
            o.onRequestStart(log);
        }
    }

    @Override
    public void onUpstreamRequest(RequestLog log, HttpHeaders upstreamHeaders) {
        for (ExchangeObserver o : all) {
            o.onUpstreamRequest(log, upstreamHeaders);
        }
    }

    @Override
    public void onResponseHead(RequestLog log) {
        for (ExchangeObserver o : all) {
            o.onResponseHead(log);
        }
    }

    @Override
    public void onComplete(RequestLog log) {
        for (ExchangeObserver o : all) {
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
}

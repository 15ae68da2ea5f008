package dev.gatehouse.proxy.http;

import dev.gatehouse.proxy.http1.UpstreamHttp1Codec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * The upstream request head from the proxy's last edits to the encoded bytes: {@code prepareUpstreamRequest} and
 * {@link UpstreamHttp1Codec}'s encoder, with the forwarding lines in the header map ({@code apart=false}, every
 * request before session 13) or written by the encoder after it ({@code apart=true}). {@code head}: wrk's request
 * (Host only) or a browser's 12-header GET. The encoder runs in an {@link EmbeddedChannel}, the same in both; the
 * codec remembers each request until its response, which never comes here, so a new one is made every 1,024 heads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UpstreamHeadBenchmark {
    @Param({"false", "true"})
    public boolean apart;
    @Param({"wrk", "browser"})
    public String head;

    private final HttpHeaders template = new DefaultHttpHeaders();
    private ForwardedClient client;
    private EmbeddedChannel channel;
    private UpstreamHttp1Codec codec;
    private int heads;

    @Setup
    public void setUp() throws UnknownHostException {
        client = new ForwardedClient(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}));
        if (head.equals("wrk")) {
            template.add("Host", "127.0.0.1:18082");
        } else {
            BrowserHead.addTo(template);
        }
        newChannel();
    }

    private void newChannel() {
        codec = new UpstreamHttp1Codec(new HttpDecoderConfig());
        channel = new EmbeddedChannel(codec);
    }

    @TearDown
    public void tearDown() {
        close();
    }

    private void close() {
        try {
            channel.finishAndReleaseAll();
        } catch (PrematureChannelClosureException expected) {
            // the requests' responses never came
        }
    }

    @Benchmark
    public int prepareAndEncode() {
        if (++heads == 1024) {
            heads = 0;
            close();
            newChannel();
        }
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/cart/items?page=2",
                new DefaultHttpHeaders());
        request.headers().set(template);
        String host = request.headers().get("host");
        CharSequence[] lines = MessageHeaders.prepareUpstreamRequest(request, false, false, false, client, host,
                "http", apart);
        if (lines != null) {
            codec.appendToNextHead(lines);
        }
        channel.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        int n = 0;
        ByteBuf wire;
        while ((wire = channel.readOutbound()) != null) {
            n += wire.readableBytes();
            wire.release();
        }
        return n;
    }
}

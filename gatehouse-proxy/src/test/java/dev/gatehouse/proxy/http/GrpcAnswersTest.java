package dev.gatehouse.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.CharsetUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GrpcAnswersTest {

    @ParameterizedTest
    @CsvSource({"application/grpc, true", "application/grpc+proto, true", "Application/GRPC+json, true",
            "application/grpc;charset=utf-8, true", "application/grpc-web, false", "application/grpcx, false",
            "application/json, false", "'', false"})
    void grpcCallsAreKnownByContentType(String type, boolean grpc) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/pkg.Svc/M");
        if (!type.isEmpty()) {
            r.headers().set("content-type", type);
        }
        assertThat(GrpcAnswers.isGrpc(r)).isEqualTo(grpc);
    }

    @ParameterizedTest
    @CsvSource({"404, 12", "502, 14", "503, 14", "504, 14", "429, 14", "401, 16", "403, 7", "400, 13", "500, 2",
            "417, 2"})
    void httpStatusesMapAsGrpcsTableSays(int http, int grpc) {
        assertThat(GrpcAnswers.statusFor(http)).isEqualTo(grpc);
    }

    @ParameterizedTest
    @CsvSource({"401, 16", "403, 7", "429, 8", "500, 13", "503, 14", "404, 12"})
    void authAndRateLimitAnswersMapAsEnvoysFiltersDo(int http, int grpc) {
        assertThat(GrpcAnswers.filterStatusFor(http)).isEqualTo(grpc);
    }

    @Test
    void aRateLimitAnswerBecomesResourceExhaustedWithItsBodyAsTheMessage() {
        FullHttpResponse limited = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.TOO_MANY_REQUESTS, Unpooled.copiedBuffer("local_rate_limited", CharsetUtil.US_ASCII));
        limited.headers().set("content-type", "text/plain").set("retry-after", "1").set("x-ratelimit-limit", "3");
        FullHttpResponse r = GrpcAnswers.fromFilter(limited);
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.headers().get("grpc-status")).isEqualTo("8");
        assertThat(r.headers().get("grpc-message")).isEqualTo("local_rate_limited");
        assertThat(r.headers().get("retry-after")).isEqualTo("1");
        assertThat(r.headers().get("x-ratelimit-limit")).isEqualTo("3");
        r.release();
    }

    @Test
    void anEmptyOrNonTextBodyLeavesTheStatusLineAsTheMessage() {
        FullHttpResponse empty = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS,
                Unpooled.EMPTY_BUFFER);
        FullHttpResponse r = GrpcAnswers.fromFilter(empty);
        assertThat(r.headers().get("grpc-message")).isEqualTo("429 Too Many Requests");
        r.release();
        FullHttpResponse html = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN,
                Unpooled.copiedBuffer("<h1>no</h1>", CharsetUtil.US_ASCII));
        html.headers().set("content-type", "text/html");
        r = GrpcAnswers.fromFilter(html);
        assertThat(r.headers().get("grpc-message")).isEqualTo("403 Forbidden");
        r.release();
    }

    @Test
    void anAnswerIsA200TrailersOnlyResponseWithThePercentEncodedReason() {
        FullHttpResponse r = GrpcAnswers.answer(HttpResponseStatus.BAD_GATEWAY,
                "upstream connect error: connection refused (10.0.0.1:50051) 100% é");
        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(r.headers().get("grpc-status")).isEqualTo("14");
        assertThat(r.headers().get("grpc-message"))
                .isEqualTo("upstream connect error: connection refused (10.0.0.1:50051) 100%25 %C3%A9");
        assertThat(r.content().isReadable()).isFalse();
        assertThat(r.headers().get("content-length")).isEqualTo("0");
        r.release();
    }

    @Test
    void aFiltersAnswerKeepsItsHeadersAndLosesItsBody() {
        FullHttpResponse denied = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED,
                Unpooled.copiedBuffer("go away", CharsetUtil.US_ASCII));
        denied.headers().set("www-authenticate", "Basic realm=\"api\"").set("content-type", "text/plain")
                .set("content-length", "7");
        FullHttpResponse r = GrpcAnswers.fromFilter(denied);
        assertThat(denied.refCnt()).isZero();
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.headers().get("grpc-status")).isEqualTo("16");
        assertThat(r.headers().get("grpc-message")).isEqualTo("go away");
        assertThat(r.headers().get("www-authenticate")).isEqualTo("Basic realm=\"api\"");
        assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(r.headers().getAll("content-length")).containsExactly("0");
        r.release();
    }
}

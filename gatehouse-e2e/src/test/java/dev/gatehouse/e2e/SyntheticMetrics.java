package dev.gatehouse.e2e;

import dev.gatehouse.app.admin.AdminEndpoint;
import dev.gatehouse.app.admin.AdminResponse;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code /metrics} endpoint in the agreed Prometheus names whose counters grow by a fixed step per scrape,
 * so the dashboard's arithmetic has known answers: per scrape, route default/all serves 18 2xx and 2 5xx
 * (10 % errors); of those 20, 10 take at most 5 ms, 18 at most 10 ms, all 20 at most 50 ms, so the
 * interpolated p50 is 5.0 ms and p99 is 10 + 40 * (19.8 - 18) / 2 = 46.0 ms.
 */
final class SyntheticMetrics implements AdminEndpoint {
    private final AtomicLong scrapes = new AtomicLong();

    @Override
    public AdminResponse handle(Map<String, List<String>> query) {
        long n = scrapes.incrementAndGet();
        String labels = "listener=\"default/edge/web\",route=\"default/all\",backend=\"default/echo:80\"";
        String text = """
                # TYPE gatehouse_http_requests_total counter
                gatehouse_http_requests_total{%1$s,status_class="2xx"} %2$d
                gatehouse_http_requests_total{%1$s,status_class="5xx"} %3$d
                # TYPE gatehouse_http_request_duration_seconds histogram
                gatehouse_http_request_duration_seconds_bucket{route="default/all",le="0.005"} %4$d
                gatehouse_http_request_duration_seconds_bucket{route="default/all",le="0.01"} %2$d
                gatehouse_http_request_duration_seconds_bucket{route="default/all",le="0.05"} %5$d
                gatehouse_http_request_duration_seconds_bucket{route="default/all",le="+Inf"} %5$d
                gatehouse_http_request_duration_seconds_sum{route="default/all"} %6$.3f
                gatehouse_http_request_duration_seconds_count{route="default/all"} %5$d
                # TYPE gatehouse_config_generation gauge
                gatehouse_config_generation 1
                """.formatted(labels, 18 * n, 2 * n, 10 * n, 20 * n, 0.2 * n);
        return new AdminResponse(200, "text/plain; version=0.0.4; charset=utf-8",
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
    }
}

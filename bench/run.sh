#!/usr/bin/env bash
# Side-by-side benchmark: gatehouse vs nginx as reverse proxies, in one run, on this 2-core machine.
# Proxy under test pinned to CPU 0; wrk and the origin (nginx, one worker) pinned to CPU 1.
# Five proxies: nginx; nginx-logged (a request id and a buffered JSON access log line per request, the part of
# gatehouse's observability nginx has); gatehouse with all observability off (no metrics, request ids, access
# log or tracing),
# gatehouse "observed": metrics, request ids, a JSON access log line per request to a file and tracing with 1 %
# of new traces sampled (spans over OTLP/HTTP to a local sink, bench/otlp_sink.py, on CPU 1; every request still
# gets a traceparent), and "observed-all": the same with every request traced and exported.
# Small GET, 50 keep-alive connections. After a JIT warm-up, the proxies are measured alternately,
# ROUNDS times each, DURATION seconds per measurement; the median round of each is reported.
#
#   bench/run.sh                        # defaults: ROUNDS=3 DURATION=10 WARMUP=20 CONNECTIONS=50
#   ROUNDS=5 DURATION=15 bench/run.sh
#   TRACE_SAMPLE=0.1 bench/run.sh       # the observed gatehouse samples 10 % of new traces instead of 1 %
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-20}; CONNECTIONS=${CONNECTIONS:-50}
# share of requests traced by the "observed" gatehouse (every span is exported when 1.0)
TRACE_SAMPLE=${TRACE_SAMPLE:-0.01}
GATEHOUSE_JAVA_OPTS=${GATEHOUSE_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx256m -Xmn128m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=256m -Dio.netty.leakDetection.level=disabled}
out="$root/bench/out"; mkdir -p "$out"; rm -f "$out"/*.pid
for tool in wrk nginx taskset java; do command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nginx-light util-linux)"; exit 1; }; done
[ "$(nproc --all)" -ge 2 ] || { echo "bench: needs 2 CPUs"; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

sed "s#@DIR@#$out#g" "$root/bench/origin.conf.template" > "$out/origin.conf"
sed "s#@DIR@#$out#g" "$root/bench/nginx.conf.template" > "$out/nginx.conf"
taskset -c 1 nginx -c "$out/origin.conf" -p "$out" & pids+=($!)
taskset -c 0 nginx -c "$out/nginx.conf" -p "$out" & pids+=($!)
sed "s#@DIR@#$out#g" "$root/bench/nginx-logged.conf.template" > "$out/nginx-logged.conf"; rm -f "$out/nginx-access.log"
taskset -c 0 nginx -c "$out/nginx-logged.conf" -p "$out" & pids+=($!)

[ -f "$root/gatehouse-app/target/gatehouse.jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
# shellcheck disable=SC2086
taskset -c 0 java $GATEHOUSE_JAVA_OPTS -jar "$root/gatehouse-app/target/gatehouse.jar" run \
  --config "$root/bench/config" --admin 127.0.0.1:19901 --metrics=false --request-id=false \
  > "$out/gatehouse.log" 2>&1 & pids+=($!)
# the same config on 18083 and 18084, everything on
rm -f "$out/access.log" "$out/access-all.log"
taskset -c 1 python3 "$root/bench/otlp_sink.py" 18095 & pids+=($!)
observed() { # port admin-port access-log trace-sample
  mkdir -p "$out/config-$1"; sed "s/18082/$1/g" "$root/bench/config/bench.yaml" > "$out/config-$1/bench.yaml"
  # shellcheck disable=SC2086
  taskset -c 0 java $GATEHOUSE_JAVA_OPTS -jar "$root/gatehouse-app/target/gatehouse.jar" run \
    --config "$out/config-$1" --admin "127.0.0.1:$2" --access-log "$3" \
    --otlp-endpoint http://127.0.0.1:18095/v1/traces --trace-sample "$4" > "$out/gatehouse-$1.log" 2>&1 & pids+=($!)
}
observed 18083 19902 "$out/access.log" "$TRACE_SAMPLE"
observed 18084 19903 "$out/access-all.log" 1.0

wait_ok() { for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "bench: $1 never answered"; exit 1; }
for p in 18090 18081 18085 18082 18083 18084; do wait_ok "http://127.0.0.1:$p/"; done

load() { taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency "$1"; }
echo "warm-up: ${WARMUP}s each (JIT)"
load http://127.0.0.1:18082/ "$WARMUP" > /dev/null
load http://127.0.0.1:18083/ "$WARMUP" > /dev/null
load http://127.0.0.1:18084/ "$WARMUP" > /dev/null
load http://127.0.0.1:18081/ 5 > /dev/null
load http://127.0.0.1:18085/ 5 > /dev/null

parse() { # wrk output -> "rps p50_ms p99_ms errors"
  awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/,"",v); return v/1000 } if (v ~ /ms$/) { sub(/ms$/,"",v); return v+0 } if (v ~ /s$/) { sub(/s$/,"",v); return v*1000 } return v }
    /Requests\/sec/ { rps=$2 } / 50%/ { p50=ms($2) } / 99%/ { p99=ms($2) }
    /Non-2xx|Socket errors/ { err=err" "$0 }
    END { printf "%s %.3f %.3f %s\n", rps, p50, p99, (err==""?"-":"ERR") }'
}
: > "$out/results.txt"
for r in $(seq "$ROUNDS"); do
  for who in nginx nginx-logged gatehouse gatehouse-observed gatehouse-observed-all; do
    case $who in nginx) port=18081 ;; nginx-logged) port=18085 ;; gatehouse) port=18082 ;; gatehouse-observed) port=18083 ;; *) port=18084 ;; esac
    line=$(load "http://127.0.0.1:$port/" "$DURATION" | tee "$out/wrk-$who-$r.txt" | parse)
    echo "$who $r $line" | tee -a "$out/results.txt"
  done
done

for a in 19902:access.log 19903:access-all.log; do
  echo "admin ${a%%:*}: $(wc -l < "$out/${a#*:}") access log lines;" \
    "$(curl -fsS "http://127.0.0.1:${a%%:*}/metrics" | grep -E '^gatehouse_accesslog_dropped_total' || echo 'no drop counter')"
done
echo
python3 - "$out/results.txt" "$ROUNDS" "$TRACE_SAMPLE" <<'PY' | tee "$out/summary.txt"
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = {}
for who, _round, rps, p50, p99, err in rows:
    d = by.setdefault(who, {"rps": [], "p50": [], "p99": [], "err": False})
    d["rps"].append(float(rps)); d["p50"].append(float(p50)); d["p99"].append(float(p99)); d["err"] |= err != "-"
print("%-22s %12s %10s %10s" % ("proxy", "requests/s", "p50 ms", "p99 ms"))
for who in ("nginx", "nginx-logged", "gatehouse", "gatehouse-observed", "gatehouse-observed-all"):
    d = by[who]
    print("%-22s %12.0f %10.3f %10.3f%s" % (who, statistics.median(d["rps"]), statistics.median(d["p50"]),
          statistics.median(d["p99"]), "  (errors: see bench/out)" if d["err"] else ""))
ratio = statistics.median(by["gatehouse"]["rps"]) / statistics.median(by["nginx"]["rps"])
print("\ngatehouse / nginx requests/s: %.2fx  (median of %s rounds; proxy pinned to CPU 0, wrk + origin on CPU 1)"
      % (ratio, sys.argv[2]))
logged = statistics.median(by["nginx-logged"]["rps"]) / statistics.median(by["nginx"]["rps"])
print("nginx with request ids + a buffered JSON access log / without: %.3fx  (%.1f %% cost)" % (logged, 100 * (1 - logged)))
for who, share in (("gatehouse-observed", sys.argv[3]), ("gatehouse-observed-all", "1.0")):
    obs = statistics.median(by[who]["rps"]) / statistics.median(by["gatehouse"]["rps"])
    dp50 = statistics.median(by[who]["p50"]) - statistics.median(by["gatehouse"]["p50"])
    print("observability on / off requests/s: %.3fx  (%.1f %% cost; p50 %+.3f ms): metrics + request ids + access log"
          " to a file + OTLP spans for a share %s of new traces" % (obs, 100 * (1 - obs), dp50, share))
PY

#!/usr/bin/env bash
# Side-by-side HTTPS benchmark: gatehouse vs nginx terminating TLS 1.3 in front of the same origin, in one run.
# Proxy under test pinned to CPU 0; h2load and the origin (nginx, one worker) pinned to CPU 1.
# Two client protocols, chosen by ALPN on the same listener: h2 (CONNECTIONS connections, STREAMS concurrent
# streams each) and http/1.1 (CONNECTIONS keep-alive connections). Both proxies use one ECDSA P-256 certificate,
# generated here, and talk cleartext HTTP/1.1 with keep-alive to the origin. gatehouse runs with its default
# observability (metrics, request ids) on and no access log, as nginx runs with access_log off.
# The measurements interleave (nginx h2, gatehouse h2, nginx h1, gatehouse h1, repeated ROUNDS times) so that
# the host's drift hits both alike; reported are the medians over the rounds, and every h2load failure or
# non-2xx answer is counted (a failed request is never hidden in a requests/s figure).
#
#   bench/https.sh                        # defaults: ROUNDS=5 DURATION=8 WARMUP=40 CONNECTIONS=50 STREAMS=10 (~4 min)
#   ROUNDS=9 DURATION=10 bench/https.sh
#   NGINX_KEEPALIVE=128 bench/https.sh    # nginx's idle upstream connections (default 1,024, as gatehouse's pool);
#                                         # h2 holds one per stream in flight (500 here), so 128 makes nginx reconnect
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-8}; WARMUP=${WARMUP:-40}; CONNECTIONS=${CONNECTIONS:-50}
STREAMS=${STREAMS:-10}; NGINX_KEEPALIVE=${NGINX_KEEPALIVE:-1024}
GATEHOUSE_JAVA_OPTS=${GATEHOUSE_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx256m -Xmn128m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=256m -Dio.netty.leakDetection.level=disabled}
out="$root/bench/out-https"; mkdir -p "$out"; rm -f "$out"/*.pid "$out"/h2load-*.txt
for tool in h2load nginx taskset java openssl curl; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install nghttp2-client nginx-light util-linux openssl curl)"; exit 1; }
done
[ "$(nproc --all)" -ge 2 ] || { echo "bench: needs 2 CPUs"; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.example.com \
  -addext subjectAltName=DNS:bench.example.com -keyout "$out/key.pem" -out "$out/cert.pem" 2>/dev/null

sed "s#@DIR@#$out#g" "$root/bench/origin.conf.template" > "$out/origin.conf"
cat > "$out/nginx-tls.conf" <<EOF
# nginx terminating TLS 1.3 (h2 and http/1.1 by ALPN), one worker, upstream keep-alive to the origin
worker_processes 1;
daemon off;
pid $out/nginx-tls.pid;
error_log $out/nginx-tls-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  http2_max_concurrent_streams 128;
  upstream origin { server 127.0.0.1:18090; keepalive $NGINX_KEEPALIVE; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:18441 ssl http2 reuseport backlog=4096;
    ssl_certificate $out/cert.pem;
    ssl_certificate_key $out/key.pem;
    ssl_protocols TLSv1.3;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_buffering on;
    }
  }
}
EOF
taskset -c 1 nginx -c "$out/origin.conf" -p "$out" & pids+=($!)
taskset -c 0 nginx -c "$out/nginx-tls.conf" -p "$out" & pids+=($!)

[ -f "$root/gatehouse-app/target/gatehouse.jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
mkdir -p "$out/config"
sed -e 's/protocol: HTTP, port: 18082/protocol: HTTPS, port: 18442, tls: {certificateRefs: [{name: bench-tls}]}/' \
  -e 's/One HTTP listener on 18082/one HTTPS listener on 18442/' "$root/bench/config/bench.yaml" > "$out/config/bench.yaml"
cat >> "$out/config/bench.yaml" <<EOF
---
apiVersion: v1
kind: Secret
metadata: {name: bench-tls, namespace: default}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$out/cert.pem")
  tls.key: $(base64 -w0 "$out/key.pem")
EOF
# shellcheck disable=SC2086
taskset -c 0 java $GATEHOUSE_JAVA_OPTS -jar "$root/gatehouse-app/target/gatehouse.jar" run \
  --config "$out/config" --admin 127.0.0.1:19911 > "$out/gatehouse.log" 2>&1 & pids+=($!)

wait_ok() {
  for _ in $(seq 150); do
    curl -fsSk -o /dev/null --resolve "bench.example.com:$1:127.0.0.1" "https://bench.example.com:$1/" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "bench: port $1 never answered over TLS"; tail -20 "$out/gatehouse.log"; exit 1
}
wait_ok 18441; wait_ok 18442
grep -m1 -i 'tls provider\|openssl\|boringssl' "$out/gatehouse.log" || true
load() { # port h1|h2 seconds
  local args=(-c "$CONNECTIONS" -D "$3" --connect-to="127.0.0.1:$1" --warm-up-time=1)
  if [ "$2" = h1 ]; then args+=(--h1); else args+=(-m "$STREAMS"); fi
  # h2load -D waits for every stream in flight when the time is up: bound it, so that a stuck stream shows
  # as a failed measurement instead of a hung benchmark
  timeout $(( $3 + 30 )) taskset -c 1 h2load -t1 "${args[@]}" "https://bench.example.com:$1/" || echo "h2load: failed or timed out"
}
parse() { # h2load output -> "rps succeeded failed errored non2xx protocol"
  awk '/^finished in/ { gsub(/,/, "", $0); for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") rps = $i }
       /^requests:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^succeeded/) ok = $i; if ($(i+1) ~ /^failed/) f = $i; if ($(i+1) ~ /^errored/) e = $i } }
       /^status codes:/ { gsub(/,/, "", $0); n = 0; for (i = 1; i <= NF; i++) if ($(i+1) ~ /^[345]xx/) n += $i }
       /^Application protocol:/ { p = $3 }
       /^h2load: failed/ { bad = 1 }
       END { if (bad || rps == "") printf "0 0 1 0 0 none\n"; else printf "%s %s %s %s %s %s\n", rps, ok, f, e, n, p }'
}
echo "warm-up: ${WARMUP}s per proxy and protocol (gatehouse's JIT)"
# the first warm-up counts requests rather than time: an interpreted JVM's first seconds are slow, and h2load -D
# would stop with many streams in flight
for port in 18442 18441; do taskset -c 1 h2load -t1 -c "$CONNECTIONS" -m "$STREAMS" -n 20000 \
  --connect-to="127.0.0.1:$port" "https://bench.example.com:$port/" > /dev/null; done
for proto in h2 h1; do for port in 18442 18441; do load $port $proto $(( (WARMUP + 1) / 2 )) > /dev/null; done; done
: > "$out/results.txt"
for r in $(seq "$ROUNDS"); do
  for proto in h2 h1; do
    for who in nginx gatehouse; do
      port=18441; [ $who = gatehouse ] && port=18442
      line=$(load $port $proto "$DURATION" | tee "$out/h2load-$who-$proto-$r.txt" | parse)
      echo "$who $proto $line" | tee -a "$out/results.txt"
    done
  done
done
echo
python3 - "$out/results.txt" "$ROUNDS" "$DURATION" "$CONNECTIONS" "$STREAMS" "$NGINX_KEEPALIVE" <<'PY' | tee "$out/summary.txt"
import statistics, sys
by = {}
for who, proto, rps, ok, failed, errored, non2xx, alpn in (l.split() for l in open(sys.argv[1]) if l.strip()):
    d = by.setdefault((who, proto), {"rps": [], "bad": 0, "ok": 0, "alpn": set()})
    d["rps"].append(float(rps)); d["ok"] += int(ok); d["bad"] += int(failed) + int(errored) + int(non2xx)
    d["alpn"].add(alpn)
print("%-10s %-9s %12s %14s %12s" % ("proxy", "protocol", "requests/s", "succeeded", "failed/non-2xx"))
for proto in ("h2", "h1"):
    for who in ("nginx", "gatehouse"):
        d = by[(who, proto)]
        print("%-10s %-9s %12.0f %14d %12d" % (who, "/".join(sorted(d["alpn"])), statistics.median(d["rps"]), d["ok"], d["bad"]))
    print("gatehouse / nginx, %s: %.2fx" % (proto, statistics.median(by[("gatehouse", proto)]["rps"])
                                           / statistics.median(by[("nginx", proto)]["rps"])))
print("\n(TLS 1.3, ECDSA P-256; medians of %s rounds of %s s, interleaved; %s connections, h2 with %s streams each;"
      " nginx upstream keepalive %s; proxy pinned to CPU 0, h2load + origin on CPU 1)" % tuple(sys.argv[2:7]))
PY

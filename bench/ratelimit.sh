#!/usr/bin/env bash
# Rate-limit cost: the same gatehouse route bare, with a local rate limit, and with a global rate limit counted in a
# local redis-server (Debian's), in one run on this 2-core machine. gatehouse pinned to CPU 0; wrk, the origin
# (nginx, one worker) and Redis on CPU 1. The limits are set so high that nothing is refused: what is measured is
# the cost of counting (a token-bucket CAS for local; one EVALSHA round trip per request, the request suspended
# meanwhile, for global). Small GET, CONNECTIONS keep-alive connections; after WARMUP seconds per JVM the three are
# measured in turn ROUNDS times, DURATION seconds each, and the medians are reported.
#
#   bench/ratelimit.sh                  # defaults: ROUNDS=3 DURATION=8 WARMUP=20 CONNECTIONS=50 (~3 min)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-8}; WARMUP=${WARMUP:-20}; CONNECTIONS=${CONNECTIONS:-50}
GATEHOUSE_JAVA_OPTS=${GATEHOUSE_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx256m -Xmn128m -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=disabled}
out="$root/bench/out-ratelimit"; mkdir -p "$out"
for tool in wrk nginx taskset java redis-server curl; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nginx-light util-linux redis-server curl)"; exit 1; }
done
[ "$(nproc --all)" -ge 2 ] || { echo "bench: needs 2 CPUs"; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

sed "s#@DIR@#$out#g" "$root/bench/origin.conf.template" > "$out/origin.conf"
taskset -c 1 nginx -c "$out/origin.conf" -p "$out" & pids+=($!)
taskset -c 1 redis-server --port 18379 --bind 127.0.0.1 --save "" --appendonly no > "$out/redis.log" 2>&1 & pids+=($!)
[ -f "$root/gatehouse-app/target/gatehouse.jar" ] || (cd "$root" && mvn -q -B -DskipTests package)

policy() { # local|global
  cat <<YAML
---
apiVersion: gatehouse.dev/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: limit, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: bench}]
  rateLimit:
    $1:
      rules:
      - limit: {requests: 1000000000, unit: Second}
YAML
}
gatehouse() { # name port admin extra-args...
  local name=$1 port=$2 admin=$3; shift 3
  mkdir -p "$out/config-$name"; sed "s/18082/$port/g" "$root/bench/config/bench.yaml" > "$out/config-$name/bench.yaml"
  [ "$name" = bare ] || policy "$name" >> "$out/config-$name/bench.yaml"
  # shellcheck disable=SC2086
  taskset -c 0 java $GATEHOUSE_JAVA_OPTS -jar "$root/gatehouse-app/target/gatehouse.jar" run \
    --config "$out/config-$name" --admin "127.0.0.1:$admin" "$@" > "$out/gatehouse-$name.log" 2>&1 & pids+=($!)
}
gatehouse bare 18182 18183
gatehouse local 18184 18185
gatehouse global 18186 18187 --rate-limit-redis redis://127.0.0.1:18379
declare -A port_of=([bare]=18182 [local]=18184 [global]=18186)
for p in 18090 18182 18184 18186; do
  for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.2; done
done
curl -s -D - -o /dev/null http://127.0.0.1:18186/ | grep -qi x-ratelimit-limit || { echo "bench: global limit not counting"; exit 1; }

load() { taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s "$1"; }
rps() { awk '/Requests\/sec/ {print $2}'; }
errors() { awk '/Non-2xx|Socket errors/ {e=1} END {print e+0}'; }
for who in bare local global; do load "http://127.0.0.1:${port_of[$who]}/" "$WARMUP" > /dev/null; done
declare -A results
for r in $(seq 1 "$ROUNDS"); do
  for who in bare local global; do
    load "http://127.0.0.1:${port_of[$who]}/" "$DURATION" > "$out/wrk-$who-$r.txt"
    [ "$(errors < "$out/wrk-$who-$r.txt")" = 0 ] || { echo "bench: $who had errors or non-2xx (see $out/wrk-$who-$r.txt)"; exit 1; }
    results[$who]+="$(rps < "$out/wrk-$who-$r.txt") "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bare=$(echo "${results[bare]}" | median)
printf '%-8s %12s %8s   (rounds: requests/s)\n' proxy median cost
for who in bare local global; do
  m=$(echo "${results[$who]}" | median)
  printf '%-8s %12s %7s%%   (%s)\n' "$who" "$m" "$(awk -v m="$m" -v b="$bare" 'BEGIN {printf "%.1f", (b-m)*100/b}')" "${results[$who]% }"
done

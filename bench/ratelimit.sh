#!/usr/bin/env bash
# Auth and rate-limit cost (issue 14's bench): the same gatehouse route bare, with a local rate limit, with an
# apiKeyAuth SecurityPolicy + the local rate limit, and with a global rate limit counted in a local redis-server
# (Debian's), side by side in one run on this 2-core machine. gatehouse pinned to CPU 0; wrk, the origin (nginx, one
# worker) and Redis on CPU 1. The limits are set so high that nothing is refused: what is measured is the cost of
# checking (a SHA-256 of the key and a hash lookup, the forwarded client-id header; a token-bucket CAS for local; one
# EVALSHA round trip per request, the request suspended meanwhile, for global). Every request carries the API key
# (the others ignore it), so the requests are the same bytes. Small GET, CONNECTIONS keep-alive connections; after
# WARMUP seconds per JVM the four are measured in turn ROUNDS times, DURATION seconds each, and the medians are
# reported with each one's cost against bare: in requests/s, and in CPU time per request (all threads of the JVM,
# from /proc: event loop, Lettuce's thread, GC, JIT). On a busy host the second is the one to read: the scheduler
# shares a core by thread, so a JVM with a second busy thread (global's Lettuce I/O thread) gets more of CPU 0
# than one with a single event loop, and its requests/s go up though each request costs more.
# `uptime` before and after says how busy the host was.
#
#   bench/ratelimit.sh                  # defaults: ROUNDS=3 DURATION=8 WARMUP=20 CONNECTIONS=50 (~4 min)
#   PORT_BASE=18280 bench/ratelimit.sh  # gatehouse on PORT_BASE+2..+9 and Redis on PORT_BASE+199 (default 18180)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-8}; WARMUP=${WARMUP:-20}; CONNECTIONS=${CONNECTIONS:-50}
B=${PORT_BASE:-18180}
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
taskset -c 1 redis-server --port $((B + 199)) --bind 127.0.0.1 --save "" --appendonly no > "$out/redis.log" 2>&1 & pids+=($!)
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
KEY=bench-key-0123456789abcdef
keys() { # an apiKeyAuth SecurityPolicy with 100 clients, the bench's key among them
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata: {name: keys, namespace: default}\nstringData:\n'
  for i in $(seq 1 99); do printf '  client%d: other-key-%d\n' "$i" "$i"; done
  printf '  bench: %s\n' "$KEY"
  cat <<YAML
---
apiVersion: gatehouse.dev/v1alpha1
kind: SecurityPolicy
metadata: {name: keys, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: bench}]
  apiKeyAuth:
    credentialRefs: [{name: keys}]
    extractFrom: [{headers: [x-api-key]}]
    forwardClientIDHeader: x-client-id
YAML
}
gatehouse() { # name port admin extra-args...
  local name=$1 port=$2 admin=$3; shift 3
  mkdir -p "$out/config-$name"; sed "s/18082/$port/g" "$root/bench/config/bench.yaml" > "$out/config-$name/bench.yaml"
  case $name in
    local|global) policy "$name" >> "$out/config-$name/bench.yaml" ;;
    keys-local) { policy local; keys; } >> "$out/config-$name/bench.yaml" ;;
  esac
  # shellcheck disable=SC2086
  taskset -c 0 java $GATEHOUSE_JAVA_OPTS -jar "$root/gatehouse-app/target/gatehouse.jar" run \
    --config "$out/config-$name" --admin "127.0.0.1:$admin" "$@" > "$out/gatehouse-$name.log" 2>&1 & pids+=($!)
  pid_of[$name]=$!
}
declare -A pid_of
gatehouse bare $((B + 2)) $((B + 3))
gatehouse local $((B + 4)) $((B + 5))
gatehouse keys-local $((B + 8)) $((B + 9))
gatehouse global $((B + 6)) $((B + 7)) --rate-limit-redis redis://127.0.0.1:$((B + 199))
declare -A port_of=([bare]=$((B + 2)) [local]=$((B + 4)) [keys-local]=$((B + 8)) [global]=$((B + 6)))
proxies="bare local keys-local global"
for p in 18090 "${port_of[@]}"; do
  for _ in $(seq 1 150); do curl -s -o /dev/null -H "x-api-key: $KEY" "http://127.0.0.1:$p/" && break; sleep 0.2; done
done
curl -s -D - -o /dev/null "http://127.0.0.1:${port_of[global]}/" | grep -qi x-ratelimit-limit || { echo "bench: global limit not counting"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port_of[keys-local]}/")" = 401 ] || { echo "bench: apiKeyAuth not checking"; exit 1; }
echo "host load before: $(uptime)"

load() { taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s -H "x-api-key: $KEY" "$1"; }
rps() { awk '/Requests\/sec/ {print $2}'; }
requests() { awk '/ requests in / {print $1}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system clock ticks, all threads
tick_us=$((1000000 / $(getconf CLK_TCK)))
errors() { awk '/Non-2xx|Socket errors/ {e=1} END {print e+0}'; }
for who in $proxies; do load "http://127.0.0.1:${port_of[$who]}/" "$WARMUP" > /dev/null; done
declare -A results cpu
for r in $(seq 1 "$ROUNDS"); do
  for who in $proxies; do
    before=$(cpu_ticks "${pid_of[$who]}")
    load "http://127.0.0.1:${port_of[$who]}/" "$DURATION" > "$out/wrk-$who-$r.txt"
    after=$(cpu_ticks "${pid_of[$who]}")
    [ "$(errors < "$out/wrk-$who-$r.txt")" = 0 ] || { echo "bench: $who had errors or non-2xx (see $out/wrk-$who-$r.txt)"; exit 1; }
    results[$who]+="$(rps < "$out/wrk-$who-$r.txt") "
    cpu[$who]+="$(awk -v t=$(( (after - before) * tick_us )) -v n="$(requests < "$out/wrk-$who-$r.txt")" \
      'BEGIN {printf "%.1f", t / n}') "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bare=$(echo "${results[bare]}" | median)
bare_cpu=$(echo "${cpu[bare]}" | median)
echo "host load after: $(uptime)"
printf '%-11s %12s %8s %14s %8s   (rounds: requests/s; CPU us/request)\n' proxy requests/s cost 'CPU us/req' cost
for who in $proxies; do
  m=$(echo "${results[$who]}" | median); c=$(echo "${cpu[$who]}" | median)
  printf '%-11s %12s %7s%% %14s %7s%%   (%s; %s)\n' "$who" "$m" \
    "$(awk -v m="$m" -v b="$bare" 'BEGIN {printf "%.1f", (b-m)*100/b}')" "$c" \
    "$(awk -v c="$c" -v b="$bare_cpu" 'BEGIN {printf "%.1f", (c-b)*100/b}')" "${results[$who]% }" "${cpu[$who]% }"
done

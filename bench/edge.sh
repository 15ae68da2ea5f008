#!/usr/bin/env bash
# gatehouse edge vs nginx's stream module doing the same job: L4 balancing (least-connections) of TCP connections
# over three "nodes" with a PROXY protocol header towards them. The proxy under test is pinned to CPU 0; wrk and
# the origin (nginx, one worker, answering on the three node addresses) to CPU 1.
#   connections/s: new connection per request (wrk, "Connection: close"), small GET, 50 clients
#   bytes/s:       1 MiB bodies over 10 keep-alive connections (wrk's Transfer/sec)
#   added latency: one keep-alive client, small GET: the proxy's p50 and p99 minus the origin's own (direct)
#   CPU per connection: the proxy's user + system time during the connections test over its connections; core busy:
#   that time over the test's duration (well below 100 %: the proxy's core was not what limited its connections/s)
# The edge is measured with PROXY v1 (what nginx sends) and v2 (its default). After a JIT warm-up the proxies take
# turns, ROUNDS times, DURATION seconds per measurement; reported: medians over the rounds.
#   bench/edge.sh                     # defaults: ROUNDS=3 DURATION=8 WARMUP=30 SETTLE=120 (~7-10 min)
#   GATEHOUSE_JAR=/tmp/before.jar bench/edge.sh   # another build of the edge (a before/after comparison)
#   PORT_BASE=24000 bench/edge.sh     # ports PORT_BASE+80..+93 (default 18100: nginx 18180, edges 18182-3, origin 18190-1)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-8}; WARMUP=${WARMUP:-30}; SETTLE=${SETTLE:-120}
PORT_BASE=${PORT_BASE:-18100}
nginx_port=$((PORT_BASE + 80)); v1_port=$((PORT_BASE + 82)); v2_port=$((PORT_BASE + 83))
direct_port=$((PORT_BASE + 90)); node_port=$((PORT_BASE + 91))
# -XX:-TieredCompilation as the launcher starts 'gatehouse edge' (C2 only: half the compiling, done sooner)
JAVA_OPTS=${GATEHOUSE_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx256m -Xmn128m -XX:+AlwaysPreTouch -XX:-TieredCompilation -Dio.netty.leakDetection.level=disabled}
out="$root/bench/out-edge"; mkdir -p "$out/www"; rm -f "$out"/*.pid "$out"/wrk-*.txt
for tool in wrk nginx taskset java; do command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nginx libnginx-mod-stream util-linux)"; exit 1; }; done
[ "$(nproc --all)" -ge 2 ] || { echo "bench: needs 2 CPUs"; exit 1; }
head -c 1048576 /dev/urandom > "$out/www/big"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
for c in origin nginx; do sed -e "s#@DIR@#$out#g" -e "s#@NGINX_PORT@#$nginx_port#g" -e "s#@DIRECT_PORT@#$direct_port#g" -e "s#@NODE_PORT@#$node_port#g" "$root/bench/edge-$c.conf.template" > "$out/edge-$c.conf"; done
taskset -c 1 nginx -c "$out/edge-origin.conf" -p "$out" & pids+=($!)
taskset -c 0 nginx -c "$out/edge-nginx.conf" -p "$out" & pids+=($!); nginx_pid=$!
JAR=${GATEHOUSE_JAR:-$root/gatehouse-app/target/gatehouse.jar}
[ -f "$JAR" ] || (cd "$root" && mvn -q -B -DskipTests package -pl gatehouse-app -am)
declare -A edge_pid
edge() { # listen-port admin-port proxy-protocol
  # shellcheck disable=SC2086
  taskset -c 0 java $JAVA_OPTS -jar "$JAR" edge --listen "127.0.0.1:$1" \
    --nodes 127.0.0.1,127.0.0.2,127.0.0.3 --node-port "$1=$node_port" --proxy-protocol "$3" \
    --admin "127.0.0.1:$2" > "$out/edge-$1.log" 2>&1 & pids+=($!); edge_pid[$1]=$!
}
edge $v1_port $((PORT_BASE + 92)) v1
edge $v2_port $((PORT_BASE + 93)) v2
wait_ok() { for _ in $(seq 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "bench: $1 never answered"; exit 1; }
for p in $direct_port $nginx_port $v1_port $v2_port; do wait_ok "http://127.0.0.1:$p/"; done

conns() { taskset -c 1 wrk -t1 -c50 -d"$2"s -H 'Connection: close' "http://127.0.0.1:$1/"; }
bytes() { taskset -c 1 wrk -t1 -c10 -d"$2"s "http://127.0.0.1:$1/big"; }
latency() { taskset -c 1 wrk -t1 -c1 -d"$2"s --latency "http://127.0.0.1:$1/"; }
# CPU time (ticks) of a process and its children (nginx's master and worker), for CPU per connection: elapsed-time
# figures follow whatever else shares the cores, CPU per connection much less, and a proxy whose core was not
# busy throughout was not what limited its connections/s
ticks() { local t=0 p; for p in "$1" $(pgrep -P "$1"); do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
parse() { # wrk output -> "rps bytes_per_s p50_ms p99_ms errors"
  awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/,"",v); return v/1000 } if (v ~ /ms$/) { sub(/ms$/,"",v); return v+0 } if (v ~ /s$/) { sub(/s$/,"",v); return v*1000 } return v }
    function by(v) { if (v ~ /GB$/) { sub(/GB$/,"",v); return v*1073741824 } if (v ~ /MB$/) { sub(/MB$/,"",v); return v*1048576 } if (v ~ /KB$/) { sub(/KB$/,"",v); return v*1024 } sub(/B$/,"",v); return v+0 }
    /Requests\/sec/ { rps=$2 } /Transfer\/sec/ { bps=by($2) } / 50%/ { p50=ms($2) } / 99%/ { p99=ms($2) }
    /Non-2xx|Socket errors/ { err="ERR" }
    END { printf "%s %.0f %.3f %.3f %s\n", rps, bps, p50, p99, (err==""?"-":err) }'
}
# the JIT: its compiler threads share the edge's pinned core; a C2 still compiling during a measurement took up to
# a fifth of that core (async-profiler), and which edge that hit depended on the order of the warm-ups. So each
# edge gets WARMUP seconds of new connections (the other two tests a third of that each), then more new connections,
# 5 s at a time, until a run leaves its JIT's compile time (jstat -compiler) unchanged, for at most SETTLE seconds
compile_s() { jstat -compiler "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'; }
settle() { # listen-port
  local pid=${edge_pid[$1]} before after waited=0
  command -v jstat > /dev/null || return 0
  after=$(compile_s "$pid")
  while [ "$waited" -lt "$SETTLE" ]; do
    before=$after; conns "$1" 5 > /dev/null; waited=$((waited + 5)); after=$(compile_s "$pid")
    awk -v a="$before" -v b="$after" 'BEGIN { exit !(b - a < 0.05) }' && break
  done
  echo "edge on $1: JIT settled after ${waited}s more, ${after}s compiling in all"
}
echo "warm-up $((WARMUP * 5 / 3))s per edge, then until its JIT is idle (at most ${SETTLE}s more)"
for p in $v1_port $v2_port; do
  conns $p "$WARMUP" > /dev/null; bytes $p $((WARMUP / 3)) > /dev/null; latency $p $((WARMUP / 3)) > /dev/null
  settle $p
done
conns $nginx_port 3 > /dev/null
: > "$out/results.txt"
# the order of the proxies turns each round: in runs of three back-to-back connection tests the last came out
# slowest, whichever proxy it was (load 6-8); with a fixed order edge-v2, always last, paid for it
proxies=(nginx-stream edge-v1 edge-v2)
for r in $(seq "$ROUNDS"); do
  turn=$(( (r - 1) % 3 ))
  order=(direct "${proxies[@]:$turn}" "${proxies[@]:0:$turn}")
  for test in conns bytes latency; do
    for who in "${order[@]}"; do
      case $who in direct) port=$direct_port ;; nginx-stream) port=$nginx_port ;; edge-v1) port=$v1_port ;; *) port=$v2_port ;; esac
      [ "$who" = direct ] && [ "$test" != latency ] && continue
      case $who in direct) pid=0 ;; nginx-stream) pid=$nginx_pid ;; edge-v1) pid=${edge_pid[$v1_port]} ;; *) pid=${edge_pid[$v2_port]} ;; esac
      t0=$([ "$pid" = 0 ] && echo 0 || ticks "$pid")
      line=$($test $port "$DURATION" | tee "$out/wrk-$test-$who-$r.txt" | parse)
      t1=$([ "$pid" = 0 ] && echo 0 || ticks "$pid")
      echo "$test $who $r $line $((t1 - t0)) $(getconf CLK_TCK) $DURATION" | tee -a "$out/results.txt"
    done
  done
done
echo
python3 - "$out/results.txt" <<'PY' | tee "$out/summary.txt"
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
m = {}
for test, who, r, rps, bps, p50, p99, err, ticks, hz, secs in rows:
    d = m.setdefault((test, who), {"rps": [], "bps": [], "p50": [], "p99": [], "cpu": [], "busy": [], "err": False})
    d["rps"].append(float(rps)); d["bps"].append(float(bps)); d["p50"].append(float(p50)); d["p99"].append(float(p99))
    cpu_s = float(ticks) / float(hz)
    d["cpu"].append(cpu_s * 1e6 / max(1.0, float(rps) * float(secs))); d["busy"].append(100 * cpu_s / float(secs))
    d["err"] |= err != "-"
med = lambda test, who, k: statistics.median(m[(test, who)][k])
direct50, direct99 = med("latency", "direct", "p50"), med("latency", "direct", "p99")
print("%-13s %14s %16s %10s %12s %18s %18s" % ("proxy", "connections/s", "CPU/conn (us)", "core busy", "MiB/s",
      "added p50 (ms)", "added p99 (ms)"))
for who in ("nginx-stream", "edge-v1", "edge-v2"):
    errs = any(m[(t, who)]["err"] for t in ("conns", "bytes", "latency"))
    print("%-13s %14.0f %16.1f %9.0f%% %12.1f %18.3f %18.3f%s" % (who, med("conns", who, "rps"), med("conns", who, "cpu"),
          med("conns", who, "busy"), med("bytes", who, "bps") / 1048576,
          med("latency", who, "p50") - direct50, med("latency", who, "p99") - direct99, "  (errors: see wrk-*.txt)" if errs else ""))
print("direct origin, one keep-alive client: p50 %.3f ms, p99 %.3f ms" % (direct50, direct99))
PY

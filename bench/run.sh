#!/usr/bin/env bash
# Side-by-side benchmark: gatehouse vs nginx as reverse proxies, in one run, on this 2-core machine.
# Proxy under test pinned to CPU 0; wrk and the origin (nginx, one worker) pinned to CPU 1.
# Six proxies: nginx; nginx-logged (a request id and a buffered JSON access log line per request, the part of
# gatehouse's observability nginx has); gatehouse with all observability off (no metrics, request ids, access
# log or tracing),
# gatehouse "observed": metrics, request ids, a JSON access log line per request to a file and tracing with 1 %
# of new traces sampled (spans over OTLP/HTTP to a local sink, bench/otlp_sink.py, on CPU 1; every request still
# gets a traceparent), "observed-all": the same with every request traced and exported, and "no-log": observed
# without the access log.
# Small GET, 50 keep-alive connections. After a JIT warm-up (WARMUP seconds per JVM, in four turns: code that
# runs rarely, like the OTLP exporter's, is still being compiled a minute in, on the same core), the proxies are
# measured ROUNDS times each, DURATION seconds per measurement. A measurement is cut into SLICES slices and the
# proxies take turns slice by slice: this host's speed drifts by up to 10-20 % from one minute to the next (nginx,
# which has no JIT, shows it), and interleaving spreads every proxy's measurement over the same stretch of
# time so that the drift hits all of them alike. The gatehouse JVMs are started
# LAUNCHES times (fresh JVMs, fresh warm-up): one JVM's JIT decisions move its throughput by several percent, as much as the cost being
# measured, so a single launch cannot tell a few percent apart. Every measurement also records the CPU time
# the proxy's process(es) used (/proc, all threads: event loop, access-log writer, exporters, GC, JIT).
# Reported: per proxy the median over all rounds of all launches; costs are medians of per-round ratios
# (observed / off measured back to back, so slow spells of the host cancel out).
#
#   bench/run.sh                        # defaults: LAUNCHES=4 ROUNDS=3 DURATION=8 SLICES=4 WARMUP=40 CONNECTIONS=50 (~22 min)
#   LAUNCHES=3 ROUNDS=5 DURATION=16 bench/run.sh
#   TRACE_SAMPLE=0.1 bench/run.sh       # the observed gatehouse samples 10 % of new traces instead of 1 %
# Load-balancing algorithms (LeastRequest, ConsistentHash against RoundRobin, same small GET, wrk taking turns):
#   mvn -pl gatehouse-proxy -am test -Dtest=BalancerCostBench -Dgatehouse.bench=true -Dsurefire.failIfNoSpecifiedTests=false
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
LAUNCHES=${LAUNCHES:-4}; ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-8}; SLICES=${SLICES:-4}; WARMUP=${WARMUP:-40}
CONNECTIONS=${CONNECTIONS:-50}
(( DURATION % SLICES == 0 )) || { echo "bench: DURATION must be a multiple of SLICES"; exit 1; }
# share of requests traced by the "observed" gatehouse (every span is exported when 1.0)
TRACE_SAMPLE=${TRACE_SAMPLE:-0.01}
GATEHOUSE_JAVA_OPTS=${GATEHOUSE_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx256m -Xmn128m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=256m -Dio.netty.leakDetection.level=disabled}
out="$root/bench/out"; mkdir -p "$out"; rm -f "$out"/*.pid "$out"/wrk-*.txt
for tool in wrk nginx taskset java; do command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nginx-light util-linux)"; exit 1; }; done
[ "$(nproc --all)" -ge 2 ] || { echo "bench: needs 2 CPUs"; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

sed "s#@DIR@#$out#g" "$root/bench/origin.conf.template" > "$out/origin.conf"
sed "s#@DIR@#$out#g" "$root/bench/nginx.conf.template" > "$out/nginx.conf"
taskset -c 1 nginx -c "$out/origin.conf" -p "$out" & pids+=($!)
taskset -c 0 nginx -c "$out/nginx.conf" -p "$out" & pids+=($!); nginx_master=$!
sed "s#@DIR@#$out#g" "$root/bench/nginx-logged.conf.template" > "$out/nginx-logged.conf"; rm -f "$out/nginx-access.log"
taskset -c 0 nginx -c "$out/nginx-logged.conf" -p "$out" & pids+=($!); nginx_logged_master=$!

[ -f "$root/gatehouse-app/target/gatehouse.jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
taskset -c 1 python3 "$root/bench/otlp_sink.py" 18095 & pids+=($!)
declare -A pid_of # proxy -> pid(s) whose CPU time is counted
gh_pids=()
gatehouse() { # port admin-port extra-args...
  local port=$1 admin=$2; shift 2
  mkdir -p "$out/config-$port"; sed "s/18082/$port/g" "$root/bench/config/bench.yaml" > "$out/config-$port/bench.yaml"
  # shellcheck disable=SC2086
  taskset -c 0 java $GATEHOUSE_JAVA_OPTS -jar "$root/gatehouse-app/target/gatehouse.jar" run \
    --config "$out/config-$port" --admin "127.0.0.1:$admin" "$@" > "$out/gatehouse-$port.log" 2>&1 &
  gh_pids+=($!)
}
start_gatehouses() {
  gh_pids=()
  rm -f "$out/access.log" "$out/access-all.log"
  gatehouse 18082 19901 --metrics=false --request-id=false; pid_of[gatehouse]=$!
  # everything on: metrics, request ids, access log, tracing (a share, or every request)
  gatehouse 18083 19902 --access-log "$out/access.log" \
    --otlp-endpoint http://127.0.0.1:18095/v1/traces --trace-sample "$TRACE_SAMPLE"; pid_of[gatehouse-observed]=$!
  gatehouse 18084 19903 --access-log "$out/access-all.log" \
    --otlp-endpoint http://127.0.0.1:18095/v1/traces --trace-sample 1.0; pid_of[gatehouse-observed-all]=$!
  # the same as "observed" without the access log: what metrics, ids and tracing cost by themselves
  gatehouse 18086 19904 \
    --otlp-endpoint http://127.0.0.1:18095/v1/traces --trace-sample "$TRACE_SAMPLE"; pid_of[gatehouse-no-log]=$!
}
stop_gatehouses() {
  for a in 19902:access.log 19903:access-all.log; do
    echo "  admin ${a%%:*}: $(wc -l < "$out/${a#*:}") access log lines;" \
      "$(curl -fsS "http://127.0.0.1:${a%%:*}/metrics" | grep -E '^gatehouse_accesslog_dropped_total' || echo 'no drop counter')"
  done
  kill "${gh_pids[@]}" 2>/dev/null || true; wait "${gh_pids[@]}" 2>/dev/null || true
  rm -f "$out/access.log" "$out/access-all.log" # a launch writes a few GB
}
trap 'stop_gatehouses >/dev/null 2>&1; cleanup' EXIT
wait_ok() { for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "bench: $1 never answered"; exit 1; }
load() { taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency "$1"; }
cpu_ticks() { # summed user+system clock ticks of the given processes (all their threads)
  local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t
}
parse() { # wrk output -> "rps p50_ms p99_ms errors requests"
  awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/,"",v); return v/1000 } if (v ~ /ms$/) { sub(/ms$/,"",v); return v+0 } if (v ~ /s$/) { sub(/s$/,"",v); return v*1000 } return v }
    /Requests\/sec/ { rps=$2 } / 50%/ { p50=ms($2) } / 99%/ { p99=ms($2) } / requests in / { n=$1 }
    /Non-2xx|Socket errors/ { err=err" "$0 }
    END { printf "%s %.3f %.3f %s %s\n", rps, p50, p99, (err==""?"-":"ERR"), n }'
}
: > "$out/results.txt"
tick_us=$((1000000 / $(getconf CLK_TCK)))
for p in 18090 18081 18085; do wait_ok "http://127.0.0.1:$p/"; done
pid_of[nginx]="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"
pid_of[nginx-logged]="$nginx_logged_master $(pgrep -P "$nginx_logged_master" | tr '\n' ' ')"
load http://127.0.0.1:18081/ 5 > /dev/null
load http://127.0.0.1:18085/ 5 > /dev/null
for l in $(seq "$LAUNCHES"); do
  echo "launch $l of $LAUNCHES: fresh gatehouse JVMs, warm-up ${WARMUP}s each (JIT)"
  start_gatehouses
  for p in 18082 18083 18084 18086; do wait_ok "http://127.0.0.1:$p/"; done
  # warm-up in turns, as the rounds run: the JIT's first busy/idle switches (which deoptimize and recompile
  # the hot path) then happen here and not in the first measured round
  for _ in 1 2 3 4; do
    for p in 18082 18083 18084 18086; do load "http://127.0.0.1:$p/" $(( (WARMUP + 3) / 4 )) > /dev/null; done
  done
  for r in $(seq "$ROUNDS"); do
    : > "$out/slices.txt"
    for _ in $(seq "$SLICES"); do
      for who in nginx nginx-logged gatehouse gatehouse-observed gatehouse-observed-all gatehouse-no-log; do
        case $who in nginx) port=18081 ;; nginx-logged) port=18085 ;; gatehouse) port=18082 ;;
          gatehouse-observed) port=18083 ;; gatehouse-observed-all) port=18084 ;; *) port=18086 ;; esac
        # shellcheck disable=SC2086
        before=$(cpu_ticks ${pid_of[$who]})
        line=$(load "http://127.0.0.1:$port/" $((DURATION / SLICES)) | tee -a "$out/wrk-$who-$l-$r.txt" | parse)
        # shellcheck disable=SC2086
        echo "$who $line $(( ($(cpu_ticks ${pid_of[$who]}) - before) * tick_us ))" >> "$out/slices.txt"
      done
    done
    # a line per proxy for the round: requests/s over its slices, the median slice's p50 and p99, any errors,
    # requests, CPU time
    python3 - "$out/slices.txt" "$l.$r" <<'PY' | tee -a "$out/results.txt"
import statistics, sys
by = {}
for who, rps, p50, p99, err, n, cpu in (l.split() for l in open(sys.argv[1]) if l.strip()):
    by.setdefault(who, []).append((float(rps), float(p50), float(p99), err, int(n), int(cpu)))
for who, s in by.items():
    print(who, sys.argv[2], "%.2f" % statistics.mean(x[0] for x in s), "%.3f" % statistics.median(x[1] for x in s),
          "%.3f" % statistics.median(x[2] for x in s), "ERR" if any(x[3] != "-" for x in s) else "-",
          sum(x[4] for x in s), sum(x[5] for x in s))
PY
  done
  stop_gatehouses
done
echo
python3 - "$out/results.txt" "$LAUNCHES" "$ROUNDS" "$TRACE_SAMPLE" <<'PY' | tee "$out/summary.txt"
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by, per_round = {}, {}
for who, rnd, rps, p50, p99, err, requests, cpu_us in rows:
    d = by.setdefault(who, {"rps": [], "p50": [], "p99": [], "cpu": [], "err": False})
    d["rps"].append(float(rps)); d["p50"].append(float(p50)); d["p99"].append(float(p99)); d["err"] |= err != "-"
    d["cpu"].append(float(cpu_us) / max(1, int(requests)))
    per_round.setdefault(rnd, {})[who] = (float(rps), float(cpu_us) / max(1, int(requests)))
med = statistics.median
print("%-22s %12s %10s %10s %14s" % ("proxy", "requests/s", "p50 ms", "p99 ms", "CPU us/request"))
for who in ("nginx", "nginx-logged", "gatehouse", "gatehouse-observed", "gatehouse-observed-all", "gatehouse-no-log"):
    d = by[who]
    print("%-22s %12.0f %10.3f %10.3f %14.2f%s" % (who, med(d["rps"]), med(d["p50"]), med(d["p99"]), med(d["cpu"]),
          "  (errors: see bench/out)" if d["err"] else ""))
print("\n(medians of %s launches x %s rounds, each round's measurements interleaved in slices; proxy pinned to"
      " CPU 0, wrk + origin on CPU 1; CPU is the proxy"
      " process's user + system time, all threads)" % (sys.argv[2], sys.argv[3]))
def cost(a, b):  # per-round ratios of a to b, measured back to back
    rps = med(per_round[r][a][0] / per_round[r][b][0] for r in per_round)
    cpu = med(per_round[r][a][1] / per_round[r][b][1] for r in per_round)
    spread = sorted(round(100 * (1 - per_round[r][a][0] / per_round[r][b][0]), 1) for r in per_round)
    return rps, cpu, spread
ratio = med(by["gatehouse"]["rps"]) / med(by["nginx"]["rps"])
print("gatehouse / nginx requests/s: %.2fx" % ratio)
rps, cpu, spread = cost("nginx-logged", "nginx")
print("nginx with a request id + a buffered JSON access log: %.1f %% fewer requests/s, %.1f %% more CPU per request"
      " (per-round costs %s)" % (100 * (1 - rps), 100 * (cpu - 1), spread))
for who, what in (("gatehouse-observed", "metrics + request ids + JSON access log to a file + OTLP spans for %s of new traces" % sys.argv[4]),
                  ("gatehouse-observed-all", "the same, every request traced"),
                  ("gatehouse-no-log", "metrics + request ids + OTLP spans for %s of new traces, no access log" % sys.argv[4])):
    rps, cpu, spread = cost(who, "gatehouse")
    print("gatehouse %s: %.1f %% fewer requests/s, %.1f %% more CPU per request than all off (per-round costs %s)"
          % (what, 100 * (1 - rps), 100 * (cpu - 1), spread))
PY

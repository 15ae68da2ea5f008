#!/usr/bin/env bash
# Issue 16's targets, each measured side by side with nginx in one run, ending with ONE table: target, gatehouse's
# figure, the reference's (nginx unless the row names another), the ratio, the issue's bar, met or not.
# gatehouse runs as `./gatehouse run` starts it: through the launcher, so with the launcher's default JVM flags
# (or JAVA_OPTS when you set it, as the launcher reads it) and the default observability (metrics and request
# ids on, access log off). nginx: one worker, upstream keep-alive (bench/nginx.conf.template). The proxy under
# test is pinned to CPU 0; the load generator and the origin (nginx, one worker) to CPU 1.
#
#   bench/perf.sh                  # every target, defaults (~14 min on the 2-core VM)
#   bench/perf.sh get latency      # some targets: get https syscalls latency idle warmup routes body
#   LATENCY_SECONDS=300 bench/perf.sh latency     # the issue's 5-minute latency/GC run
#
# Targets (docs/performance.md, "bench/perf.sh", says how each is measured) and their knobs (defaults):
#   get       small GET, HTTP/1.1, CONNECTIONS keep-alive connections, wrk; requests/s and CPU per request,
#             GET_ROUNDS=3 rounds of GET_DURATION=8 s per proxy cut into GET_SLICES=4 slices taken in turns,
#             after GET_WARMUP=40 s of JIT warm-up
#   https     TLS 1.3, h2 (CONNECTIONS x STREAMS=10) and http/1.1, h2load; HTTPS_ROUNDS=3 HTTPS_DURATION=6
#             HTTPS_WARMUP=30
#   syscalls  strace -c -f on the proxy (all threads) while h2load --h1 sends SYSCALL_REQUESTS=5000 requests at
#             SYSCALL_RATE=500/s over SYSCALL_CONNECTIONS=10 connections; minus the same window idle
#   latency   h2load --h1 at LATENCY_RATE=1000 requests/s over LATENCY_CONNECTIONS=10 connections for
#             LATENCY_SECONDS=60 per proxy (LATENCY_SLICES=4 turns); p50/p99/p99.9 from per-request logs;
#             gatehouse's GC log (-Xlog:gc* added to the launcher's flags): the longest pause; warm-up
#             LATENCY_WARMUP=30 s saturated, then LATENCY_RATE_WARMUP=10 s at the measured rate
#   idle      IDLE_CONNECTIONS=10000 keep-alive connections, one request each, then idle: gatehouse's heap (live
#             objects after a full GC) + direct memory per connection; nginx's worker RSS per connection
#   warmup    a fresh gatehouse under load: requests/s per second over WARMUP_SECONDS=30 s from launch, against
#             the steady figure (WARMUP_STEADY_SECONDS=10 one-second windows from WARMUP_STEADY_AT=60 s); verdict on
#             the mean of the WARMUP_WINDOW=5 windows ending at WARMUP_SECONDS (1-s windows swing > 10 % when warm)
#   routes    gatehouse with 10 vs ROUTES=10000 HTTPRoutes (multi-tenant, bench/perf_routes.py), wrk spreading
#             requests over the tenants: requests/s (ROUTES_ROUNDS=3 ROUTES_DURATION=8 ROUTES_WARMUP=30),
#             ROUTES_CHANGES=5 one-file changes timed until live, the snapshot's heap
#   body      BODY_BYTES=1 GiB upload (POST) and download through the proxy, curl, BODY_ROUNDS=2, streaming on both
# PORT_BASE=27000: ports PORT_BASE+81.. (not bench/run.sh's 18xxx, so both can run on one host).
# Raw output of every target: bench/out-perf/<target>*.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bench/out-perf"; mkdir -p "$out"
all_modes="get https syscalls latency idle warmup routes body"
modes=("$@"); [ $# -gt 0 ] || read -ra modes <<< "$all_modes"
for m in "${modes[@]}"; do
  [[ " $all_modes " == *" $m "* ]] || { echo "bench/perf.sh: unknown target '$m' (targets: $all_modes)"; exit 2; }
done
CONNECTIONS=${CONNECTIONS:-50}; STREAMS=${STREAMS:-10}
GET_ROUNDS=${GET_ROUNDS:-3}; GET_DURATION=${GET_DURATION:-8}; GET_SLICES=${GET_SLICES:-4}; GET_WARMUP=${GET_WARMUP:-40}
HTTPS_ROUNDS=${HTTPS_ROUNDS:-3}; HTTPS_DURATION=${HTTPS_DURATION:-6}; HTTPS_WARMUP=${HTTPS_WARMUP:-30}
SYSCALL_REQUESTS=${SYSCALL_REQUESTS:-5000}; SYSCALL_RATE=${SYSCALL_RATE:-500}; SYSCALL_CONNECTIONS=${SYSCALL_CONNECTIONS:-10}
SYSCALL_WARMUP=${SYSCALL_WARMUP:-20}
LATENCY_RATE=${LATENCY_RATE:-1000}; LATENCY_CONNECTIONS=${LATENCY_CONNECTIONS:-10}; LATENCY_SECONDS=${LATENCY_SECONDS:-60}
LATENCY_SLICES=${LATENCY_SLICES:-4}; LATENCY_WARMUP=${LATENCY_WARMUP:-30}; LATENCY_RATE_WARMUP=${LATENCY_RATE_WARMUP:-10}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}; WARMUP_WINDOW=${WARMUP_WINDOW:-5}; WARMUP_STEADY_AT=${WARMUP_STEADY_AT:-60}; WARMUP_STEADY_SECONDS=${WARMUP_STEADY_SECONDS:-10}
ROUTES=${ROUTES:-10000}; ROUTES_ROUNDS=${ROUTES_ROUNDS:-3}; ROUTES_DURATION=${ROUTES_DURATION:-8}
ROUTES_SLICES=${ROUTES_SLICES:-4}; ROUTES_WARMUP=${ROUTES_WARMUP:-30}; ROUTES_CHANGES=${ROUTES_CHANGES:-5}
BODY_BYTES=${BODY_BYTES:-1073741824}; BODY_ROUNDS=${BODY_ROUNDS:-2}
PORT_BASE=${PORT_BASE:-27000}
origin_port=$((PORT_BASE + 90)); nginx_port=$((PORT_BASE + 81)); gh_port=$((PORT_BASE + 82)); gh2_port=$((PORT_BASE + 83))
sink_port=$((PORT_BASE + 91)); admin_port=$((PORT_BASE + 901)); admin2_port=$((PORT_BASE + 902))
(( GET_DURATION % GET_SLICES == 0 && ROUTES_DURATION % ROUTES_SLICES == 0 && LATENCY_SECONDS % LATENCY_SLICES == 0 )) ||
  { echo "bench/perf.sh: each *_DURATION (and LATENCY_SECONDS) must be a multiple of its *_SLICES"; exit 2; }
for tool in wrk h2load nginx taskset java jcmd curl python3 openssl strace ss; do
  command -v $tool >/dev/null || { echo "bench/perf.sh: $tool is missing (apt-get install wrk nghttp2-client nginx-light util-linux openssl strace iproute2 curl; a JDK 17)"; exit 1; }
done
[ "$(nproc --all)" -ge 2 ] || { echo "bench/perf.sh: needs 2 CPUs"; exit 1; }
# the launcher builds the jar when it is missing or stale: here, not pinned and not inside a measurement; and the
# class-data archive users get after a build (unless GATEHOUSE_CDS=off), so that every start below maps it
"$root/gatehouse" --version > /dev/null
jar="$root/gatehouse-app/target/gatehouse.jar" jsa="$root/gatehouse-app/target/gatehouse.jsa"
if [ "${GATEHOUSE_CDS:-on}" != off ] && { [ ! -f "$jsa" ] || [ "$jar" -nt "$jsa" ]; }; then "$root/gatehouse" train; fi
table="$out/table.tsv"; : > "$table"
tick_us=$((1000000 / $(getconf CLK_TCK)))

# ---- shared pieces (every target runs in a subshell with its own processes, killed when it ends) ----
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
# a table row: target, gatehouse, reference, ratio, bar, met
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$table"; }
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b) if b else '-')" "$1" "$2"; }
met() { python3 -c "import sys; print('met' if eval(sys.argv[1]) else 'NOT met')" "$1"; }
wait_http() { # url [seconds]: waits for a 2xx answer
  local deadline=$((SECONDS + ${2:-60}))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "bench/perf.sh: $1 never answered"; return 1; }
    sleep 0.05
  done
}
start_origin() { # the small fixed answer, pinned to CPU 1
  sed -e "s#@DIR@#$out#g" -e "s/18090/$origin_port/" -e "s#origin.pid#origin-$mode.pid#" "$root/bench/origin.conf.template" > "$out/$mode-origin.conf"
  taskset -c 1 nginx -c "$out/$mode-origin.conf" -p "$out" & pids+=($!)
  wait_http "http://127.0.0.1:$origin_port/"
}
nginx_conf() { # file [extra http-level directives] [extra location directives]: bench/nginx.conf.template, our ports
  sed -e "s#@DIR@#$out#g" -e "s/18081/$nginx_port/" -e "s/18090/$origin_port/" -e "s#nginx.pid#nginx-$mode.pid#" \
    -e "s#nginx-error.log#nginx-$mode-error.log#" "$root/bench/nginx.conf.template" |
    awk -v http="${2:-}" -v loc="${3:-}" '{ print } /^  access_log off;/ && http != "" { print "  " http } /proxy_buffering on;/ && loc != "" { print "      " loc }' > "$1"
}
start_nginx() { # conf: sets nginx_master, nginx_worker
  taskset -c 0 nginx -c "$1" -p "$out" & pids+=($!); nginx_master=$!
  wait_http "http://127.0.0.1:$nginx_port/" 20
  nginx_worker=$(pgrep -P "$nginx_master" | head -1)
}
gh_config() { # dir port: bench/config/bench.yaml on our ports
  mkdir -p "$1"; sed -e "s/18082/$2/g" -e "s/18090/$origin_port/g" "$root/bench/config/bench.yaml" > "$1/bench.yaml"
}
start_gatehouse() { # name config-dir port|- admin-port [extra JVM flags]: ./gatehouse run, pinned to CPU 0, waits
  # for a 2xx on http://127.0.0.1:port/ unless port is -; sets gh_pid
  local name=$1 dir=$2 port=$3 admin=$4 extra=${5:-}
  # JDK_JAVA_OPTIONS is read by the java launcher in addition to the command line: flags are ADDED to the
  # launcher's own, never replace them
  JDK_JAVA_OPTIONS="$extra" taskset -c 0 "$root/gatehouse" run --config "$dir" --admin "127.0.0.1:$admin" \
    > "$out/$mode-$name.log" 2>&1 & pids+=($!); gh_pid=$!
  local p; for _ in $(seq 100); do # the JVM itself: the launcher execs it, or (should it ever) runs it as a child
    p=$gh_pid; [ "$(cat /proc/$p/comm 2>/dev/null)" = java ] || p=$(pgrep -P "$gh_pid" -x java | head -1 || true)
    [ -n "$p" ] && break; sleep 0.1
  done
  gh_pid=$p
  [ -n "$gh_pid" ] || { echo "bench/perf.sh: no gatehouse JVM started"; tail "$out/$mode-$name.log"; return 1; }
  tr '\0' ' ' < "/proc/$gh_pid/cmdline" > "$out/$mode-$name.cmdline"
  [ -z "$extra" ] || echo " (+ JDK_JAVA_OPTIONS $extra)" >> "$out/$mode-$name.cmdline"
  [ "$port" = - ] || wait_http "http://127.0.0.1:$port/" 180 || { tail -20 "$out/$mode-$name.log"; return 1; }
}
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
wrk_load() { taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency "${@:3}" "$1"; }
wrk_parse() { # wrk output -> "rps requests errors"
  awk '/Requests\/sec/ { rps = $2 } / requests in / { n = $1 } /Non-2xx|Socket errors/ { err = 1 }
       END { printf "%s %s %s\n", (rps == "" ? 0 : rps), (n == "" ? 0 : n), (err ? "ERR" : "-") }'
}
live_heap() { # pid [file]: bytes of live objects (the histogram runs a full GC first; the first attach is done
  # twice, so the attach listener's own objects are in both figures); the histogram is kept in file
  jcmd "$1" GC.class_histogram > /dev/null
  jcmd "$1" GC.class_histogram > "${2:-$out/$mode-histogram.txt}"
  awk '$1 == "Total" { print $3 }' "${2:-$out/$mode-histogram.txt}"
}
interleave() { # rounds slices duration out-file name=url[|lua] ...: each round, the proxies take turns slice by slice
  local rounds=$1 slices=$2 duration=$3 file=$4; shift 4
  : > "$file"
  for r in $(seq "$rounds"); do for _ in $(seq "$slices"); do
    for spec in "$@"; do
      local who=${spec%%=*} rest=${spec#*=} url lua pidvar before line
      url=${rest%%|*}; lua=""; [[ $rest == *"|"* ]] && lua=${rest#*|}
      pidvar="pids_$who"; before=$(cpu_ticks ${!pidvar})
      line=$(wrk_load "$url" $((duration / slices)) ${lua:+-s "$lua"} | tee -a "$out/$mode-wrk-$who.txt" | wrk_parse)
      echo "$who $r $line $(( ($(cpu_ticks ${!pidvar}) - before) * tick_us ))" >> "$file"
    done
  done; done
}
summarize() { # slices-file: per proxy "rps_median cpu_us_per_request_median errors" lines, "who rps cpu err"
  python3 - "$1" <<'PY'
import statistics, sys
rounds = {}
for who, r, rps, n, err, cpu in (l.split() for l in open(sys.argv[1]) if l.strip()):
    d = rounds.setdefault(who, {}).setdefault(r, [[], 0, 0, "-"])
    d[0].append(float(rps)); d[1] += int(n); d[2] += int(cpu); d[3] = err if err != "-" else d[3]
for who, rs in rounds.items():
    print(who, "%.0f" % statistics.median(statistics.mean(d[0]) for d in rs.values()),
          "%.2f" % statistics.median(d[2] / max(1, d[1]) for d in rs.values()),
          "ERR" if any(d[3] != "-" for d in rs.values()) else "-")
PY
}

# ---- the targets ----
mode_get() {
  start_origin
  nginx_conf "$out/get-nginx.conf"; start_nginx "$out/get-nginx.conf"
  gh_config "$out/get-config" "$gh_port"; start_gatehouse gatehouse "$out/get-config" "$gh_port" "$admin_port"
  pids_nginx="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"; pids_gatehouse=$gh_pid
  echo "warm-up: ${GET_WARMUP}s (gatehouse's JIT)"
  wrk_load "http://127.0.0.1:$nginx_port/" 3 > /dev/null
  for _ in 1 2 3 4; do wrk_load "http://127.0.0.1:$gh_port/" $(( (GET_WARMUP + 3) / 4 )) > /dev/null; done
  rm -f "$out"/get-wrk-*.txt
  interleave "$GET_ROUNDS" "$GET_SLICES" "$GET_DURATION" "$out/get-slices.txt" \
    nginx="http://127.0.0.1:$nginx_port/" gatehouse="http://127.0.0.1:$gh_port/"
  summarize "$out/get-slices.txt" | tee "$out/get-summary.txt"
  local n g; n=($(grep '^nginx ' "$out/get-summary.txt")); g=($(grep '^gatehouse ' "$out/get-summary.txt"))
  [ "${n[3]}${g[3]}" = -- ] || echo "errors (non-2xx or socket errors) in a measurement: see $out/get-wrk-*.txt"
  local r; r=$(ratio "${g[1]}" "${n[1]}")
  record "get: requests/s (HTTP/1.1, $CONNECTIONS conns)" "${g[1]}" "${n[1]}" "$r" ">= 1.0" "$(met "$r >= 1.0 and '${n[3]}${g[3]}' == '--'")"
  r=$(ratio "${g[2]}" "${n[2]}")
  record "get: CPU us/request (proxy, all threads)" "${g[2]}" "${n[2]}" "$r" "<= 1.2" "$(met "$r <= 1.2")"
}

mode_https() {
  start_origin
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench.example.com \
    -addext subjectAltName=DNS:bench.example.com -keyout "$out/https-key.pem" -out "$out/https-cert.pem" 2>/dev/null
  nginx_conf "$out/https-nginx.conf" "http2_max_concurrent_streams 128;"
  # h2 holds one upstream connection per stream in flight (CONNECTIONS x 10): nginx keeps as many idle ones as
  # gatehouse's pool does (1,024), else it reconnects on every burst and the comparison flatters gatehouse
  sed -i -e "s/keepalive 128;/keepalive 1024;/" "$out/https-nginx.conf"
  sed -i -e "s#listen 127.0.0.1:$nginx_port reuseport#listen 127.0.0.1:$nginx_port ssl http2 reuseport#" \
    -e "s#^    location / {#    ssl_certificate $out/https-cert.pem; ssl_certificate_key $out/https-key.pem; ssl_protocols TLSv1.3;\n    location / {#" \
    "$out/https-nginx.conf"
  taskset -c 0 nginx -c "$out/https-nginx.conf" -p "$out" & pids+=($!); nginx_master=$!
  mkdir -p "$out/https-config"
  sed -e "s/protocol: HTTP, port: 18082/protocol: HTTPS, port: $gh_port, tls: {certificateRefs: [{name: bench-tls}]}/" \
    -e "s/18090/$origin_port/g" "$root/bench/config/bench.yaml" > "$out/https-config/bench.yaml"
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata: {name: bench-tls, namespace: default}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n' \
    "$(base64 -w0 "$out/https-cert.pem")" "$(base64 -w0 "$out/https-key.pem")" >> "$out/https-config/bench.yaml"
  start_gatehouse gatehouse "$out/https-config" - "$admin_port"
  local p ok; for p in $nginx_port $gh_port; do
    ok=""; for _ in $(seq 1200); do
      curl -fsSk -o /dev/null --resolve "bench.example.com:$p:127.0.0.1" "https://bench.example.com:$p/" 2>/dev/null && { ok=1; break; }
      sleep 0.1
    done
    [ -n "$ok" ] || { echo "port $p never answered over TLS"; tail -20 "$out/https-gatehouse.log"; return 1; }
  done
  h2() { # port h1|h2 seconds|-n<count>
    local args=(-c "$CONNECTIONS" --connect-to="127.0.0.1:$1")
    # no --warm-up-time: the requests counted and the CPU time measured cover the same span (handshakes included)
    if [[ $3 == -n* ]]; then args+=("$3"); else args+=(-D "$3"); fi
    if [ "$2" = h1 ]; then args+=(--h1); else args+=(-m "$STREAMS"); fi
    timeout 120 taskset -c 1 h2load -t1 "${args[@]}" "https://bench.example.com:$1/" || echo "h2load: failed or timed out"
  }
  echo "warm-up: ${HTTPS_WARMUP}s per protocol (gatehouse's JIT)"
  h2 "$gh_port" h2 -n20000 > /dev/null; h2 "$nginx_port" h2 -n20000 > /dev/null
  for proto in h2 h1; do h2 "$gh_port" $proto $(( (HTTPS_WARMUP + 1) / 2 )) > /dev/null; done
  : > "$out/https-results.txt"
  for r in $(seq "$HTTPS_ROUNDS"); do for proto in h2 h1; do for who in nginx gatehouse; do
    p=$nginx_port; [ $who = gatehouse ] && p=$gh_port
    local cpu_of="$gh_pid"; [ $who = nginx ] && cpu_of="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"
    local before; before=$(cpu_ticks $cpu_of)
    h2 $p $proto "$HTTPS_DURATION" > "$out/https-h2load-$who-$proto-$r.txt"
    echo "cpu_us $(( ($(cpu_ticks $cpu_of) - before) * tick_us ))" >> "$out/https-h2load-$who-$proto-$r.txt"
    awk -v who=$who -v proto=$proto '/^finished in/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") rps = $i }
      /^requests:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^succeeded/) ok = $i; if ($(i+1) ~ /^(failed|errored)/) bad += $i } }
      /^status codes:/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) if ($(i+1) ~ /^[345]xx/) bad += $i }
      /^Application protocol:/ { alpn = $3 } /^h2load: failed/ { bad += 1 }
      /^cpu_us/ { cpu = $2 }
      END { printf "%s %s %s %d %d %s %d\n", who, proto, (rps == "" ? 0 : rps), ok, bad, alpn, cpu }' \
      "$out/https-h2load-$who-$proto-$r.txt" | tee -a "$out/https-results.txt"
  done; done; done
  local proto n g bad alpn r cpu
  for proto in h2 h1; do
    n=$(awk -v p=$proto '$1 == "nginx" && $2 == p { print $3 }' "$out/https-results.txt" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    g=$(awk -v p=$proto '$1 == "gatehouse" && $2 == p { print $3 }' "$out/https-results.txt" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    bad=$(awk -v p=$proto '$2 == p { b += $5 } END { print b + 0 }' "$out/https-results.txt")
    alpn=$(awk -v p=$proto '$2 == p { print $6 }' "$out/https-results.txt" | sort -u | tr '\n' '/' | sed 's#/$##')
    r=$(ratio "$g" "$n")
    # CPU per request over all rounds (proxy process, all threads): what the host's load moves least
    cpu=$(awk -v p=$proto '$2 == p { c[$1] += $7; n[$1] += $4 } END { printf "%.1f vs %.1f", c["gatehouse"] / n["gatehouse"], c["nginx"] / n["nginx"] }' "$out/https-results.txt")
    echo "$proto: nginx $n, gatehouse $g requests/s (median), $bad failed/non-2xx, ALPN $alpn, CPU us/request $cpu"
    record "https: requests/s (TLS 1.3, $alpn$([ $proto = h2 ] && echo ", $CONNECTIONS x $STREAMS streams"); CPU us/req $cpu)" "${g%.*}" "${n%.*}" "$r" ">= 1.0" \
      "$(met "$r >= 1.0 and $bad == 0")$([ "$bad" = 0 ] || echo " ($bad failed)")"
  done
}

mode_syscalls() {
  start_origin
  nginx_conf "$out/syscalls-nginx.conf"; start_nginx "$out/syscalls-nginx.conf"
  gh_config "$out/syscalls-config" "$gh_port"; start_gatehouse gatehouse "$out/syscalls-config" "$gh_port" "$admin_port"
  echo "warm-up: ${SYSCALL_WARMUP}s (gatehouse's JIT)"
  wrk_load "http://127.0.0.1:$gh_port/" "$SYSCALL_WARMUP" > /dev/null
  local per_conn=$(( (SYSCALL_RATE + SYSCALL_CONNECTIONS - 1) / SYSCALL_CONNECTIONS )) who pid port s calls idle n per net
  local window=$(( SYSCALL_REQUESTS / SYSCALL_RATE + 3 ))
  for who in nginx gatehouse; do
    pid=$nginx_worker; port=$nginx_port; [ $who = gatehouse ] && { pid=$gh_pid; port=$gh_port; }
    # background: the same process idle for as long as the loaded window lasts (timers, GC and JIT threads)
    strace -c -f -p "$pid" -o "$out/syscalls-$who-idle.txt" 2> /dev/null & s=$!
    sleep "$window"; kill -INT $s; wait $s || true
    strace -c -S calls -f -p "$pid" -o "$out/syscalls-$who.txt" 2> /dev/null & s=$!
    sleep 1 # attached to every thread before the first request
    local t0=$SECONDS
    taskset -c 1 h2load --h1 -t1 -c "$SYSCALL_CONNECTIONS" --rps "$per_conn" -n "$SYSCALL_REQUESTS" \
      "http://127.0.0.1:$port/" > "$out/syscalls-$who-h2load.txt"
    sleep $(( window - 1 - (SECONDS - t0) > 0 ? window - 1 - (SECONDS - t0) : 0 ))
    kill -INT $s; wait $s || true
    calls=$(awk '$NF == "total" { print $4 }' "$out/syscalls-$who.txt")
    idle=$(awk '$NF == "total" { print $4 }' "$out/syscalls-$who-idle.txt"); idle=${idle:-0}
    n=$(awk '/^status codes:/ { gsub(/,/, ""); print $3 }' "$out/syscalls-$who-h2load.txt")
    [ -n "$calls" ] && [ "${n:-0}" -gt 0 ] || { echo "$who: no strace total or no 2xx answer"; return 1; }
    net=$(python3 -c "print('%.2f' % (($calls - $idle) / $n))"); per=$(python3 -c "print('%.2f' % ($calls / $n))")
    echo "$who: $calls syscalls for $n requests at $SYSCALL_RATE/s in ${window}s (idle window: $idle): $per per request, $net without the idle background"
    echo "  top: $(awk 'NR > 2 && $NF != "total" && $NF !~ /^-/ { print $NF "=" $4 }' "$out/syscalls-$who.txt" | head -6 | tr '\n' ' ')"
    declare -g "sys_$who=$net" "sysraw_$who=$per"
  done
  local r; r=$(ratio "$sys_gatehouse" "$sys_nginx")
  record "syscalls/request ($SYSCALL_RATE req/s, keep-alive; raw $sysraw_gatehouse vs $sysraw_nginx)" "$sys_gatehouse" "$sys_nginx" "$r" "<= 7" "$(met "$sys_gatehouse <= 7")"
}

mode_latency() {
  start_origin
  nginx_conf "$out/latency-nginx.conf"; start_nginx "$out/latency-nginx.conf"
  gh_config "$out/latency-config" "$gh_port"; rm -f "$out/latency-gc.log"
  start_gatehouse gatehouse "$out/latency-config" "$gh_port" "$admin_port" \
    "-Xlog:gc*:file=$out/latency-gc.log:timemillis,uptime,level,tags"
  echo "warm-up: ${LATENCY_WARMUP}s saturated + ${LATENCY_RATE_WARMUP}s at the measured rate (gatehouse's JIT)"
  wrk_load "http://127.0.0.1:$gh_port/" "$LATENCY_WARMUP" > /dev/null
  local per_conn=$(( (LATENCY_RATE + LATENCY_CONNECTIONS - 1) / LATENCY_CONNECTIONS )) slice=$((LATENCY_SECONDS / LATENCY_SLICES))
  # then the measured shape: after the saturated warm-up C2 still compiled the paths of requests served one at a
  # time (~90 ms of compiler CPU in the first 10 s at 1,000/s, on the proxy's one core; ~0 after)
  taskset -c 1 h2load --h1 -t1 -c "$LATENCY_CONNECTIONS" --rps "$per_conn" -D "$LATENCY_RATE_WARMUP" \
    "http://127.0.0.1:$gh_port/" > /dev/null
  rm -f "$out"/latency-h2load-*
  local t0 t1; t0=$(date +%s%3N)
  for i in $(seq "$LATENCY_SLICES"); do for who in nginx gatehouse; do
    local port=$nginx_port; [ $who = gatehouse ] && port=$gh_port
    taskset -c 1 h2load --h1 -t1 -c "$LATENCY_CONNECTIONS" --rps "$per_conn" -D "$slice" \
      --log-file "$out/latency-h2load-$who-$i.log" "http://127.0.0.1:$port/" > "$out/latency-h2load-$who-$i.txt"
  done; done
  t1=$(date +%s%3N)
  python3 - "$out" "$LATENCY_SLICES" "$slice" "$t0" "$t1" <<'PY' | tee "$out/latency-summary.txt"
import glob, re, sys
out, slices, slice_s, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))]
for who in ("nginx", "gatehouse"):
    lat, bad = [], 0
    for f in glob.glob("%s/latency-h2load-%s-*.log" % (out, who)):
        for line in open(f):
            start, status, dur = line.split()[:3]
            if not status.startswith("2"):
                bad += 1
            lat.append(int(dur) / 1000.0)
    lat.sort()
    if not lat:
        print(who, "none"); continue
    print("%s requests %d rate %.0f/s p50 %.3f p99 %.3f p99.9 %.3f max %.3f non2xx %d" % (who, len(lat), len(lat) / (slices * slice_s),
          pct(lat, 50), pct(lat, 99), pct(lat, 99.9), lat[-1], bad))
pauses, inside = [], []
for line in open(out + "/latency-gc.log"):
    m = re.search(r"\[(\d+)ms\]\[\w+\s*\]\[gc\s*\] GC\(\d+\) Pause .* (\d+\.\d+)ms$", line)
    if m:
        pauses.append(float(m.group(2)))
        if t0 <= int(m.group(1)) <= t1:
            inside.append(float(m.group(2)))
print("gc pauses in the measured window %d max %.3f ms; whole JVM life %d max %.3f ms" % (len(inside), max(inside or [0]), len(pauses), max(pauses or [0])))
PY
  local n g gc; n=($(grep '^nginx ' "$out/latency-summary.txt")); g=($(grep '^gatehouse ' "$out/latency-summary.txt"))
  [ "${#n[@]}" -gt 10 ] && [ "${#g[@]}" -gt 10 ] || { echo "no latency logs"; return 1; }
  gc=($(grep '^gc pauses' "$out/latency-summary.txt"))
  local r; r=$(ratio "${g[8]}" "${n[8]}")
  record "latency p99 ms (${g[4]}, ${LATENCY_SECONDS}s each; p50 ${g[6]} vs ${n[6]}, p99.9 ${g[10]} vs ${n[10]})" "${g[8]}" "${n[8]}" "$r" "<= nginx + 0.5 ms" \
    "$(met "${g[8]} <= ${n[8]} + 0.5 and ${g[14]} + ${n[14]} == 0")$([ "${g[14]}${n[14]}" = 00 ] || echo " (non-2xx: ${g[14]} vs ${n[14]})")"
  record "GC: longest pause ms during the latency run (${gc[6]} pauses; whole JVM life: ${gc[15]} ms)" "${gc[8]}" "-" "-" "<= 5 ms" "$(met "${gc[8]} <= 5")"
}

mode_idle() {
  ulimit -n "$(ulimit -Hn)"
  (( $(ulimit -n) > IDLE_CONNECTIONS + 1000 )) || { echo "idle: open files limit $(ulimit -n) is below $IDLE_CONNECTIONS connections"; return 1; }
  start_origin
  gh_config "$out/idle-config" "$gh_port"
  # both proxies keep an idle keep-alive connection for 10 minutes (gatehouse: 10 s for the next head, 60 s
  # without traffic; nginx: 75 s), so every connection outlives the measurement
  cat >> "$out/idle-config/bench.yaml" <<'EOF'
---
apiVersion: gatehouse.dev/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: idle, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: bench}]
  timeouts: {requestHeader: 10m, idle: 10m}
EOF
  start_gatehouse gatehouse "$out/idle-config" "$gh_port" "$admin_port"
  taskset -c 1 h2load --h1 -t1 -c 50 -n 20000 "http://127.0.0.1:$gh_port/" > /dev/null # first requests, JIT
  sleep 2
  mem() { # heap (live objects) and direct memory of the gatehouse JVM: "heap jdk-direct netty-direct rss"
    local heap m; heap=$(live_heap "$gh_pid" "$out/idle-histogram-$1.txt")
    m=$(curl -fsS "http://127.0.0.1:$admin_port/metrics")
    echo "$heap $(awk '/^jvm_buffer_memory_used_bytes\{id="direct"\}/ { printf "%.0f", $2 }' <<< "$m") \
      $(awk '/^netty_allocator_memory_used\{.*memory_type="direct"/ { s += $2 } END { printf "%.0f", s }' <<< "$m") \
      $(awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$gh_pid/status")"
  }
  hold() { # port: opens IDLE_CONNECTIONS idle connections and keeps them until fd 7 closes
    rm -f "$out/idle-fifo"; mkfifo "$out/idle-fifo"
    taskset -c 1 python3 "$root/bench/perf_idle_client.py" 127.0.0.1 "$1" "$IDLE_CONNECTIONS" < "$out/idle-fifo" \
      > "$out/idle-client-$1.txt" 2> "$out/idle-client-$1.err" & pids+=($!); client=$!
    exec 7> "$out/idle-fifo"
    for _ in $(seq 1200); do grep -q ready "$out/idle-client-$1.txt" && break; sleep 0.1; done
    grep ready "$out/idle-client-$1.txt" || { echo "idle client never got ready"; tail -3 "$out/idle-client-$1.err"; return 1; }
    sleep 2
    echo "established connections on :$1: $(ss -Htn state established "( sport = :$1 )" | wc -l)"
  }
  local before after opened
  before=($(mem before)); echo "gatehouse before: heap ${before[0]} jdk-direct ${before[1]} netty-direct ${before[2]} rss ${before[3]}"
  hold "$gh_port"; opened=$(sed -n 's/.*opened=\([0-9]*\).*/\1/p' "$out/idle-client-$gh_port.txt")
  after=($(mem after)); echo "gatehouse with $opened idle: heap ${after[0]} jdk-direct ${after[1]} netty-direct ${after[2]} rss ${after[3]}"
  echo "live bytes per idle connection by class (largest):"
  python3 - "$out/idle-histogram-before.txt" "$out/idle-histogram-after.txt" "$opened" <<'PY'
import sys
def load(f):
    rows = (l.split() for l in open(f))
    return {r[3]: int(r[2]) for r in rows if len(r) >= 4 and r[0].endswith(":")}
b, a, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
for cls, d in sorted(((c, a[c] - b.get(c, 0)) for c in a), key=lambda x: -x[1])[:12]:
    print("  %7.1f B  %s" % (d / n, cls))
PY
  exec 7>&-; wait "$client" || true
  local dh=$(( after[0] - before[0] )) dj=$(( after[1] - before[1] )) dn=$(( after[2] - before[2] ))
  local dd=$(( dj > dn ? dj : dn )) per
  per=$(( (dh + dd) / opened ))
  echo "gatehouse per connection: heap $((dh / opened)) B, direct $((dd / opened)) B (JDK direct buffers $((dj / opened)), Netty allocator $((dn / opened))), RSS $(( (after[3] - before[3]) / opened )) B"
  nginx_conf "$out/idle-nginx.conf" "keepalive_timeout 600s;"
  sed -i -e "s/worker_connections 4096;/worker_connections $(ulimit -n);/" -e "s/^worker_processes 1;/worker_processes 1;\nworker_rlimit_nofile $(ulimit -n);/" "$out/idle-nginx.conf"
  start_nginx "$out/idle-nginx.conf"
  taskset -c 1 h2load --h1 -t1 -c 50 -n 20000 "http://127.0.0.1:$nginx_port/" > /dev/null
  local rb ra; rb=$(awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$nginx_worker/status")
  hold "$nginx_port"; local nopened; nopened=$(sed -n 's/.*opened=\([0-9]*\).*/\1/p' "$out/idle-client-$nginx_port.txt")
  ra=$(awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$nginx_worker/status")
  exec 7>&-; wait "$client" || true
  local nper=$(( (ra - rb) / nopened ))
  echo "nginx worker RSS: $rb -> $ra with $nopened idle: $nper B per connection"
  record "idle: heap+direct B/conn ($opened conns; ref: nginx worker RSS/conn)" "$per" "$nper" "$(ratio "$per" "$nper")" "<= 1024 B" \
    "$(met "$per <= 1024 and $opened == $IDLE_CONNECTIONS")"
}

mode_warmup() {
  start_origin
  nginx_conf "$out/warmup-nginx.conf"; start_nginx "$out/warmup-nginx.conf"
  gh_config "$out/warmup-config" "$gh_port"
  local launched; launched=$(date +%s%N)
  start_gatehouse gatehouse "$out/warmup-config" "$gh_port" "$admin_port"
  local ready; ready=$(date +%s%N)
  echo "first answer $(( (ready - launched) / 1000000 )) ms after launch"
  : > "$out/warmup-series.txt"
  local t before
  while :; do # back-to-back one-second wrk runs: ms (since launch) at which each began, requests/s, requests,
    # errors, the proxy's CPU us in the window (the figure the other processes on the machine move least)
    t=$(( ($(date +%s%N) - launched) / 1000000 )); before=$(cpu_ticks "$gh_pid")
    (( t < (WARMUP_STEADY_AT + WARMUP_STEADY_SECONDS) * 1000 )) || break
    echo "$t $(wrk_load "http://127.0.0.1:$gh_port/" 1 | wrk_parse) $(( ($(cpu_ticks "$gh_pid") - before) * tick_us ))" >> "$out/warmup-series.txt"
  done
  : > "$out/warmup-nginx.txt"
  for _ in $(seq 5); do wrk_load "http://127.0.0.1:$nginx_port/" 1 | wrk_parse >> "$out/warmup-nginx.txt"; done
  python3 - "$out/warmup-series.txt" "$out/warmup-nginx.txt" "$WARMUP_SECONDS" "$WARMUP_STEADY_AT" "$WARMUP_WINDOW" <<'PY' | tee "$out/warmup-summary.txt"
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
series = [(int(t) / 1000.0, float(rps)) for t, rps, n, err, cpu in rows]
# CPU us per request over a set of windows: on a shared machine the requests/s follow the other processes' load,
# the CPU a request costs follows only the gateway's own warm-up (interpreter, C1, C2)
def cpu_per_request(sel):
    picked = [(int(n), int(cpu)) for t, rps, n, err, cpu in rows if sel(int(t) / 1000.0)]
    return sum(c for _, c in picked) / max(1, sum(n for n, _ in picked))
limit, steady_at, window = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
late = [r for t, r in series if t >= steady_at]
steady = statistics.median(late)
nginx = statistics.median(float(l.split()[0]) for l in open(sys.argv[2]) if l.strip())
early = [(t, r) for t, r in series if t < limit]
for t, r in series:
    print("  %6.1f s  %8.0f req/s  %5.1f %%" % (t, r, 100 * r / steady))
# the rule as the issue words it: the first window from which every 1-s window up to the limit stays within 10 %
# of steady
held = next((t for i, (t, r) in enumerate(early) if all(x >= 0.9 * steady for _, x in early[i:])), None)
# ...but 1-s windows of a fully warm gateway already swing by more than 10 % on a 2-core VM (session 10: 80-117 %
# of steady on the quiet machine, from 20 s to 70 s): the per-window rule then fails at steady state itself. So
# the row's verdict compares like with like: the mean of the WARMUP_WINDOW windows ending at the limit against
# the mean of the steady windows; the swing of the steady windows is printed to show why.
ending = [r for t, r in early][-window:]
ratio = statistics.mean(ending) / statistics.mean(late) if ending else 0
print("steady windows (from %.0f s): %.0f to %.0f %% of their median, %d of %d within 10 %%" % (
    steady_at, 100 * min(late) / steady, 100 * max(late) / steady, sum(abs(r / steady - 1) <= 0.1 for r in late), len(late)))
print("the %d windows ending at %.0f s: %.0f req/s, %.1f %% of the steady mean %.0f" % (
    len(ending), limit, statistics.mean(ending) if ending else 0, 100 * ratio, statistics.mean(late)))
ends = [t for t, r in early][-window:]
cpu_end = cpu_per_request(lambda t: ends and ends[0] <= t < limit)
cpu_steady = cpu_per_request(lambda t: t >= steady_at)
print("CPU per request: %.1f us in those windows, %.1f us steady (%.2fx)" % (cpu_end, cpu_steady, cpu_end / max(cpu_steady, 1e-9)))
for lo in range(0, int(steady_at), 5):
    print("  CPU per request, seconds %2d-%2d: %7.1f us" % (lo, lo + 5, cpu_per_request(lambda t: lo <= t < lo + 5)))
print("steady %.0f nginx %.0f held %s window %.3f cpu %.2f" % (steady, nginx, "%.1f" % held if held is not None else "never", ratio,
                                                           cpu_end / max(cpu_steady, 1e-9)))
PY
  local s; s=($(tail -1 "$out/warmup-summary.txt"))
  record "warm-up: ${WARMUP_WINDOW}-s window ending at ${WARMUP_SECONDS} s / steady (every 1-s window within 10 % from: ${s[5]} s; its CPU/request ${s[9]}x steady's; steady ${s[1]} req/s; ref: nginx req/s)" \
    "${s[7]}" "${s[3]}" "$(ratio "${s[1]}" "${s[3]}")" ">= 0.90" "$(met "${s[7]} >= 0.9")"
}

mode_routes() {
  start_origin
  rm -rf "$out/routes-10" "$out/routes-many"
  python3 "$root/bench/perf_routes.py" write "$out/routes-10" 10 "$gh_port" "$origin_port" "$out/routes-10.lua"
  python3 "$root/bench/perf_routes.py" write "$out/routes-many" "$ROUTES" "$gh2_port" "$origin_port" "$out/routes-many.lua"
  local few many t
  wait_route() { local d=$((SECONDS + 300)); until curl -fsS -o /dev/null -H "Host: app.tenant0.example.com" "http://127.0.0.1:$1/healthz" 2>/dev/null; do (( SECONDS < d )) || return 1; sleep 0.1; done; }
  t=$(date +%s%N)
  start_gatehouse few "$out/routes-10" - "$admin_port"
  wait_route "$gh_port" || { echo "10 routes: never routed"; tail "$out/routes-few.log"; return 1; }; few=$gh_pid
  echo "10 routes: first routed answer $(( ($(date +%s%N) - t) / 1000000 )) ms after launch"
  t=$(date +%s%N)
  start_gatehouse many "$out/routes-many" - "$admin2_port"
  wait_route "$gh2_port" || { echo "$ROUTES routes: never routed"; tail "$out/routes-many.log"; return 1; }; many=$gh_pid
  echo "$ROUTES routes: first routed answer $(( ($(date +%s%N) - t) / 1000000 )) ms after launch"
  pids_few=$few; pids_many=$many
  echo "warm-up: ${ROUTES_WARMUP}s each (JIT)"
  for _ in 1 2; do
    wrk_load "http://127.0.0.1:$gh_port/" $(( (ROUTES_WARMUP + 1) / 2 )) -s "$out/routes-10.lua" > /dev/null
    wrk_load "http://127.0.0.1:$gh2_port/" $(( (ROUTES_WARMUP + 1) / 2 )) -s "$out/routes-many.lua" > /dev/null
  done
  rm -f "$out"/routes-wrk-*.txt
  interleave "$ROUTES_ROUNDS" "$ROUTES_SLICES" "$ROUTES_DURATION" "$out/routes-slices.txt" \
    few="http://127.0.0.1:$gh_port/|$out/routes-10.lua" many="http://127.0.0.1:$gh2_port/|$out/routes-many.lua"
  summarize "$out/routes-slices.txt" | tee "$out/routes-summary.txt"
  local f m r; f=($(grep '^few ' "$out/routes-summary.txt")); m=($(grep '^many ' "$out/routes-summary.txt"))
  [ "${f[3]}${m[3]}" = -- ] || echo "errors (non-2xx: a request that no route matched, or socket errors): see $out/routes-wrk-*.txt"
  r=$(ratio "${m[1]}" "${f[1]}")
  record "routes: requests/s, $ROUTES routes (ref: 10 routes; CPU us/req ${m[2]} vs ${f[2]})" "${m[1]}" "${f[1]}" "$r" ">= 0.95" "$(met "$r >= 0.95 and '${f[3]}${m[3]}' == '--'")"
  local hf hm; hf=$(live_heap "$few"); hm=$(live_heap "$many")
  echo "live heap after a full GC: 10 routes $hf B, $ROUTES routes $hm B"
  record "routes: live heap MiB after full GC, $ROUTES routes (ref: 10); difference = snapshot" "$((hm / 1048576))" "$((hf / 1048576))" \
    "+$(( (hm - hf) / 1048576 )) MiB" "reported" "-"
  taskset -c 1 python3 "$root/bench/perf_routes.py" live "$out/routes-many" "$ROUTES" "$gh2_port" "$ROUTES_CHANGES" | tee "$out/routes-live.txt"
  local live; live=$(awk '/^live max/ { print $3 }' "$out/routes-live.txt")
  [ -n "$live" ] || { echo "no change went live"; return 1; }
  # gatehouse logs each reload's time and CPU time: the CPU time is what the host's load moves least
  local reload; reload=$(awk '/serving config generation/ && !/generation 1 / { gsub(/\(/, ""); for (i = 1; i < NF; i++) if ($(i+1) == "ms" && $(i+2) == "of") c = ($i > c ? $i : c) } END { print c + 0 }' "$out/routes-many.log")
  echo "reload CPU time, longest of the changes: $reload ms"
  record "routes: one file rewritten to live, s (max of $ROUTES_CHANGES, $ROUTES routes; reload CPU <= $reload ms)" "$live" "-" "-" "< 1 s" "$(met "$live < 1")"
}

mode_body() {
  data=/dev/shm/gatehouse-perf-body-$PORT_BASE # global: the EXIT trap runs after this function has returned
  mkdir -p "$data"; trap 'rm -rf "$data"; cleanup' EXIT
  head -c "$BODY_BYTES" /dev/zero > "$data/big"; echo ok > "$data/ping"
  # the origin: the file from tmpfs with sendfile (download); a discarding sink (upload), both on CPU 1
  cat > "$out/body-origin.conf" <<EOF
worker_processes 1;
daemon off;
pid $out/origin-body.pid;
error_log $out/body-origin-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$origin_port reuseport; root $data; location / { default_type application/octet-stream; } }
}
EOF
  taskset -c 1 nginx -c "$out/body-origin.conf" -p "$out" & pids+=($!)
  taskset -c 1 python3 "$root/bench/perf_sink.py" "$sink_port" & pids+=($!)
  wait_http "http://127.0.0.1:$origin_port/ping" 20; wait_http "http://127.0.0.1:$sink_port/upload" 20
  # nginx streams both ways as gatehouse does: no request buffering (the body goes upstream as it arrives), no
  # response buffering to disk; 64 KiB relay buffers
  nginx_conf "$out/body-nginx.conf" "client_max_body_size 0; upstream sink { server 127.0.0.1:$sink_port; keepalive 16; }" \
    "proxy_request_buffering off; proxy_buffer_size 64k; proxy_buffers 4 64k; proxy_read_timeout 300s;"
  sed -i -e 's/proxy_buffering on;/proxy_buffering off;/' \
    -e "s#^    location / {#    location /upload { proxy_pass http://sink; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_request_buffering off; proxy_buffering off; client_body_buffer_size 64k; proxy_buffer_size 64k; proxy_buffers 4 64k; proxy_read_timeout 300s; }\n    location / {#" \
    "$out/body-nginx.conf"
  taskset -c 0 nginx -c "$out/body-nginx.conf" -p "$out" & pids+=($!); nginx_master=$!
  # bench/config/bench.yaml, plus the sink and a route to it; a slow upload's answer may come late (after the body)
  gh_config "$out/body-config" "$gh_port"
  cat >> "$out/body-config/bench.yaml" <<EOF
---
apiVersion: v1
kind: Service
metadata: {name: sink, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: sink-1, namespace: default, labels: {kubernetes.io/service-name: sink}}
addressType: IPv4
ports: [{name: http, port: $sink_port}]
endpoints: [{addresses: ["127.0.0.1"]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: upload, namespace: default}
spec:
  parentRefs: [{name: bench}]
  rules: [{matches: [{path: {type: PathPrefix, value: /upload}}], backendRefs: [{name: sink, port: 80}]}]
---
apiVersion: gatehouse.dev/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: body, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: bench}]
  timeouts: {backendResponse: 300s}
EOF
  start_gatehouse gatehouse "$out/body-config" - "$admin_port"
  wait_http "http://127.0.0.1:$gh_port/ping" 180; wait_http "http://127.0.0.1:$gh_port/upload"
  wait_http "http://127.0.0.1:$nginx_port/ping" 20; wait_http "http://127.0.0.1:$nginx_port/upload"
  local nginx_all; nginx_all="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"
  xfer() { # who direction port bytes: one transfer with curl on CPU 1; prints "bytes seconds cpu_us ok"
    local who=$1 dir=$2 port=$3 want=$4 pidlist before res
    pidlist=$gh_pid; [ "$who" = nginx ] && pidlist=$nginx_all
    before=$(cpu_ticks $pidlist)
    if [ "$dir" = upload ]; then
      res=$(taskset -c 1 curl -sS -X POST -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$data/part" \
        -w ' %{size_upload} %{time_total} %{http_code}' "http://127.0.0.1:$port/upload" 2>&1 | tr '\n' ' ')
      # the sink answers with the bytes it got: they must all have arrived
      echo "$res" | awk -v w="$want" -v cpu=$(( ($(cpu_ticks $pidlist) - before) * tick_us )) \
        '{ printf "%s %s %s %s\n", $2, $3, cpu, ($1 == w && $2 == w && $4 == 200) ? "ok" : "BAD(" $0 ")" }'
    else
      res=$(taskset -c 1 curl -sS -o /dev/null -w '%{size_download} %{time_total} %{http_code}' "http://127.0.0.1:$port/part" 2>&1 | tr '\n' ' ')
      echo "$res" | awk -v w="$want" -v cpu=$(( ($(cpu_ticks $pidlist) - before) * tick_us )) \
        '{ printf "%s %s %s %s\n", $1, $2, cpu, ($1 == w && $3 == 200) ? "ok" : "BAD(" $0 ")" }'
    fi
  }
  # 8 x 256 MiB: with 256 KiB reads each way, 8 x 64 MiB made ~2,000 reads, short of C2's thresholds, so the C2
  # compiler thread still took 8-23 % of the proxy's core during the measured GiB (docs/performance.md, session 12)
  echo "warm-up: 8 x 256 MiB each way through gatehouse (JIT)"
  local warm=$((BODY_BYTES < 268435456 ? BODY_BYTES : 268435456))
  head -c "$warm" "$data/big" > "$data/part"
  for _ in $(seq 8); do xfer gatehouse upload "$gh_port" "$warm" > /dev/null; xfer gatehouse download "$gh_port" "$warm" > /dev/null; done
  xfer nginx upload "$nginx_port" "$warm" > /dev/null; xfer nginx download "$nginx_port" "$warm" > /dev/null
  mv "$data/big" "$data/part"
  : > "$out/body-results.txt"
  for r in $(seq "$BODY_ROUNDS"); do for dir in upload download; do for who in nginx gatehouse; do
    local port=$nginx_port; [ $who = gatehouse ] && port=$gh_port
    echo "$who $dir $r $(xfer $who $dir $port "$BODY_BYTES")" | tee -a "$out/body-results.txt"
  done; done; done
  local dir n g bad r
  for dir in upload download; do
    n=$(awk -v d=$dir '$1 == "nginx" && $2 == d && $7 == "ok" { print $4 / $5 }' "$out/body-results.txt" | sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.0f", a[int((NR + 1) / 2)] }')
    g=$(awk -v d=$dir '$1 == "gatehouse" && $2 == d && $7 == "ok" { print $4 / $5 }' "$out/body-results.txt" | sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.0f", a[int((NR + 1) / 2)] }')
    bad=$(awk -v d=$dir '$2 == d && $7 != "ok"' "$out/body-results.txt" | wc -l)
    [ -n "$n" ] && [ -n "$g" ] || { record "body: $dir MB/s" "${g:-FAILED}" "${n:-FAILED}" "-" ">= 0.9" "NOT met ($bad failed)"; continue; }
    r=$(ratio "$g" "$n")
    local cpu; cpu=$(awk -v d=$dir '$2 == d && $7 == "ok" { c[$1] += $6; b[$1] += $4 } END { printf "CPU s/GiB %.2f vs %.2f", c["gatehouse"] / b["gatehouse"] * 1073.741824, c["nginx"] / b["nginx"] * 1073.741824 }' "$out/body-results.txt")
    record "body: $dir MB/s ($((BODY_BYTES / 1048576)) MiB, streaming; $cpu)" "$((g / 1000000))" "$((n / 1000000))" "$r" ">= 0.9" \
      "$(met "$r >= 0.9 and $bad == 0")$([ "$bad" = 0 ] || echo " ($bad failed)")"
  done
}

# ---- run ----
machine() {
  echo "machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); h2load $(h2load --version | awk '{ print $NF }')"
  echo "launcher JVM flags: ${JAVA_OPTS:-$(sed -n 's/^default_opts="\(.*\)"/\1/p' "$root/gatehouse") (default_opts)}"
}
{ machine; echo "load at start: $(uptime)"; } | tee "$out/machine.txt"
for mode in "${modes[@]}"; do
  echo; echo "=== $mode ($(date -u +%T) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)) ==="
  rows=$(wc -l < "$table")
  # errexit applies inside the subshell only when it is not an if's condition: run it, then look at its status
  set +e; ( set -e; trap cleanup EXIT; trap "exit 143" TERM INT; "mode_$mode" ) > >(tee "$out/$mode.txt") 2>&1; rc=$?; set -e
  if [ $rc != 0 ]; then
    echo "$mode: FAILED (see bench/out-perf/$mode.txt)"
    record "$mode: FAILED: $(grep -v '^\s*$' "$out/$mode.txt" | tail -1 | cut -c1-100)" "-" "-" "-" "-" "NOT met"
  elif [ "$(wc -l < "$table")" = "$rows" ]; then
    record "$mode: no figure (see bench/out-perf/$mode.txt)" "-" "-" "-" "-" "NOT met"
  fi
  sleep 1 # the subshell's tee has flushed
done
{
  echo; machine; echo "load at end: $(uptime)"; echo
  awk -F'\t' 'BEGIN { printf "%-88s %12s %12s %8s %18s  %s\n", "target", "gatehouse", "nginx/ref", "ratio", "bar", "met"
                      printf "%-88s %12s %12s %8s %18s  %s\n", "------", "---------", "---------", "-----", "---", "---" }
              { printf "%-88s %12s %12s %8s %18s  %s\n", $1, $2, $3, $4, $5, $6 }' "$table"
  echo
  echo "(proxy pinned to CPU 0, load generator and origin to CPU 1; gatehouse through ./gatehouse run, default"
  echo " observability; ref is nginx (1 worker, upstream keep-alive) unless the row names another; raw output: bench/out-perf/)"
} | tee "$out/summary.txt"

#!/usr/bin/env bash
# The whole test suite: unit, golden and end-to-end tests (mvn verify), then the Gateway API conformance
# suite from ../shared/conformance against standalone mode, for the cases gatehouse implements.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -B -ntp verify

conformance="$root/../shared/conformance/run.py"
if [ ! -f "$conformance" ]; then
  if [ "${CI:-}" = true ]; then echo "conformance suite missing at $conformance"; exit 1; fi
  echo "conformance suite not found at $conformance: skipped"; exit 0
fi
# Every HTTPRoute case except retries and those that need an HTTPS listener (later issues:
# traffic management, TLS); TLSRoute and TCPRoute come with the L4 path.
skip='HTTPRouteRetry*,TLSRoute*,TCPRoute*'
report="$root/gatehouse-app/target/conformance-report.json"
log="$root/gatehouse-app/target/conformance.log"
(cd "$root/../shared/conformance" && python3 run.py --gateway-cmd "$root/gatehouse run --admin off --config {config}" \
    --skip "$skip" --report "$report") | tee "$log"
failed=$(grep -cE '^FAIL ' "$log" || true)
passed=$(grep -cE '^PASS ' "$log" || true)
echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

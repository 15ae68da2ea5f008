#!/usr/bin/env bash
# The whole test suite: unit, golden and end-to-end tests (mvn verify), then the Gateway API conformance
# suite from ../shared/conformance against standalone mode, for the cases gatehouse implements.
# The last line is a one-line summary, "test.sh: OK: ..." or "test.sh: FAILED: ...". Exits non-zero when a test
# or case failed, when the conformance run stopped before every selected case ran, or, with CI=true, when the
# conformance suite is missing (without CI=true a missing suite is skipped, and the summary says so).
#
#   scripts/test.sh                                    # everything
#   scripts/test.sh --conformance-only [--only NAMES]  # the conformance step alone, on the jar ./gatehouse builds
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

finish() { # OK|FAILED text
  echo "test.sh: $1: $2"
  if [ "$1" = OK ]; then exit 0; fi
  exit 1
}

# tests run, failed and skipped, from the surefire reports of this run
maven_counts() {
  python3 - "$root"/gatehouse-*/target/surefire-reports/TEST-*.xml <<'EOF' 2>/dev/null || echo "maven: counts unavailable"
import sys, xml.etree.ElementTree as ET
t = f = s = 0
for path in sys.argv[1:]:
    suite = ET.parse(path).getroot()
    t += int(suite.get("tests", 0)); s += int(suite.get("skipped", 0))
    f += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
print("maven: %d tests, %d failed, %d skipped" % (t, f, s))
EOF
}

suite="$root/../shared/conformance"
maven="maven: not run"
selection=()
if [ "${1:-}" = --conformance-only ]; then
  shift
  selection=("$@")
else
  rm -rf "$root"/gatehouse-*/target/surefire-reports # counts must come from this run only
  configs=()
  if [ -f "$suite/cases.json" ]; then # ConformanceConfigsTest: every case's config translates without errors
    rendered="$root/gatehouse-translator/target/conformance-configs"
    rm -rf "$rendered"
    python3 "$root/gatehouse-translator/src/test/scripts/render-conformance-configs.py" "$suite/cases.json" "$rendered" \
      >/dev/null || finish FAILED "could not render the conformance configs for ConformanceConfigsTest"
    configs=("-Dconformance.configs=$rendered")
  fi
  mvn_status=0
  mvn -B -ntp verify "${configs[@]}" || mvn_status=$?
  maven="$(maven_counts)"
  [ "$mvn_status" -eq 0 ] || finish FAILED "mvn verify exited $mvn_status; $maven"
fi

if [ ! -f "$suite/run.py" ]; then
  [ "${CI:-}" != true ] || finish FAILED "$maven; conformance suite missing at $suite (required when CI=true)"
  finish OK "$maven; conformance: SKIPPED, suite not found at $suite"
fi
# Every case, the HTTPRoute retry ones included (issue 13).
report="$root/gatehouse-app/target/conformance-report.json"
log="$root/gatehouse-app/target/conformance.log"
mkdir -p "$(dirname "$report")"
rm -f "$report"
selected=$(cd "$suite" && python3 run.py --list "${selection[@]}" | wc -l) \
  || finish FAILED "$maven; conformance: could not list the selected cases"
[ "$selected" -gt 0 ] || finish FAILED "$maven; conformance: no case selected"
run_status=0
(cd "$suite" && python3 run.py --gateway-cmd "$root/gatehouse run --admin off --config {config}" \
    "${selection[@]}" --report "$report") 2>&1 | tee "$log" || run_status=$?
# The report lists every case that ran; a run cut short (harness error, signal) lists fewer than were selected.
read -r ran passed failed < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(len(r["results"]), r["passed"], r["failed"])' "$report" 2>/dev/null || echo "0 0 0")
result="$passed passed, $failed failed of $selected selected cases"
[ "$run_status" -eq 0 ] || finish FAILED "$maven; conformance: runner exited $run_status after $ran of $selected selected cases (log: $log)"
[ "$ran" -eq "$selected" ] || finish FAILED "$maven; conformance: stopped early, $ran of $selected selected cases ran (log: $log)"
[ "$failed" -eq 0 ] && [ "$passed" -eq "$selected" ] || finish FAILED "$maven; conformance: $result (log: $log)"
finish OK "$maven; conformance: $result"

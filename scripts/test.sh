#!/usr/bin/env bash
# The whole test suite, from a fresh clone: `npm test`. Installs dependencies when missing, builds, starts a
# Kafka broker of its own (scripts/kafka.mjs), uses the machine's PostgreSQL or an embedded one, runs the unit
# and integration tests, stops what it started, and ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[test]\033[0m %s\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

log "building"
npm run --silent build

export WZ_TEST_KAFKA_PORT="${WZ_TEST_KAFKA_PORT:-29392}"
started_broker=""
if [ -z "${KAFKA_BROKERS:-}" ]; then
  log "starting Kafka on 127.0.0.1:${WZ_TEST_KAFKA_PORT}"
  eval "$(node scripts/kafka.mjs start --port "$WZ_TEST_KAFKA_PORT")"
  export KAFKA_BROKERS
  started_broker=1
fi

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  # Never the developer's DATABASE_URL: the tests drop and recreate the services' schemas.
  TEST_DATABASE_URL=$(env -u DATABASE_URL WZ_DB_NAME=wenzheng_test node scripts/db.mjs ensure | sed -n 's/^DATABASE_URL=//p')
  export TEST_DATABASE_URL
fi
log "test database: ${TEST_DATABASE_URL%%@*}@${TEST_DATABASE_URL#*@}"

cleanup() {
  [ -n "$started_broker" ] && node scripts/kafka.mjs stop --port "$WZ_TEST_KAFKA_PORT" >/dev/null 2>&1 || true
}
trap cleanup EXIT

results=$(mktemp -d)
export NODE_OPTIONS=--experimental-vm-modules
status=0
log "unit tests"
npx jest --selectProjects unit --json --outputFile="$results/unit.json" || status=1
log "integration tests (real Kafka ${KAFKA_BROKERS}, real PostgreSQL)"
npx jest --selectProjects integration --runInBand --forceExit --json --outputFile="$results/integration.json" || status=1
if [ "${WZ_SKIP_FAULTS:-}" = "1" ]; then
  log "fault tests SKIPPED (WZ_SKIP_FAULTS=1)"
else
  # The short run of test/faults (kill -9 of every service, broker and PostgreSQL restarts, a three-broker cluster
  # losing a broker): its own broker, cluster and PostgreSQL on ports 29600-29722 and 29650.
  log "fault tests (short run; the full one is npm run test:faults)"
  node test/faults/run.mjs --short --json "$results/faults.json" || status=1
fi

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { if (!f.endsWith("faults.json") || process.env.WZ_SKIP_FAULTS !== "1") failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    if (r.checks) { passed += r.checks.passed; failed += r.checks.failed; continue; }
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" "$results/integration.json" "$results/faults.json"
exit $status

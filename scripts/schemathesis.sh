#!/usr/bin/env bash
# Runs schemathesis (PyPI) with all checks against a fresh server's /api/openapi.json:
# the document must tell the truth about every answer (issue 16, point 16).
#
#   scripts/schemathesis.sh [SECONDS]      # default budget 300 s
#
# Builds the debug binary, serves an empty SQLite database on 127.0.0.1:18089 with one
# admin and its token, runs every phase (examples, coverage, fuzzing, stateful) and exits
# with schemathesis's status. Operations that revoke the token in use (a password reset
# of the token's own user, a token's revocation) are left out so the rest keeps its
# credentials. .ci/run runs it after the tests; any failure fails CI. The accepted answers
# are in scripts/schemathesis.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-300}"
command -v schemathesis >/dev/null 2>&1 || pip install --quiet "schemathesis==4.32.5"
cargo build --quiet -p consign-cli
target="${CARGO_TARGET_DIR:-target}"
consign="$(cd "$target" && pwd)/debug/consign"
kept_log="$(cd "$target" && pwd)/schemathesis-serve.log"
config="$(pwd)/scripts/schemathesis.toml"
dir=$(mktemp -d)
server=""
# The server's log is kept in the target directory (what failed on the server's side).
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; cp "$dir/serve.log" "$kept_log" 2>/dev/null || true; rm -rf "$dir"' EXIT
export CONSIGN_DATA_DIR="$dir" CONSIGN_DATABASE_URL="sqlite://$dir/consign.db" CONSIGN_LISTEN=127.0.0.1:18089
echo "schemathesis-2026" | "$consign" user add admin --role admin --password-stdin >/dev/null
token=$("$consign" user token admin --name schemathesis | tail -n 1)
if curl -fsS http://127.0.0.1:18089/healthz >/dev/null 2>&1; then
  echo "schemathesis.sh: 127.0.0.1:18089 is already serving (an earlier run left behind?); stop it first" >&2
  exit 2
fi
"$consign" serve >"$dir/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:18089/healthz >/dev/null 2>&1 && break
  sleep 0.2
done
if ! kill -0 "$server" 2>/dev/null; then
  echo "schemathesis.sh: the server did not start:" >&2
  tail -n 20 "$dir/serve.log" >&2
  exit 2
fi
# From the temporary folder: schemathesis keeps its cache (.schemathesis/) where it runs.
cd "$dir"
schemathesis --config-file "$config" run http://127.0.0.1:18089/api/openapi.json \
  -H "Authorization: Bearer $token" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-time "$budget" \
  --exclude-path-regex '^/api/v1/(users/\{id\}|tokens/\{id\})$' \
  --suppress-health-check filter_too_much \
  --no-color | tee "$dir/report.txt"
status=${PIPESTATUS[0]}
# The server must still be up: a crash shows as "stopped responding", not as a failure.
if ! kill -0 "$server" 2>/dev/null; then
  echo "schemathesis.sh: the server died during the run; its log:" >&2
  tail -n 40 "$dir/serve.log" >&2
  exit 1
fi
# Both the stateless and the stateful phases must have run within the budget.
if grep -q "No tests were run" "$dir/report.txt"; then
  echo "schemathesis.sh: a phase ran no tests within the budget" >&2
  exit 1
fi
exit "$status"

#!/usr/bin/env bash
# The layout rules of issue 17, checked on every CI run:
#   1. no source file holds more than 800 lines of non-test code (the message catalogue,
#      consign-domain/src/i18n.rs, aside);
#   2. no SQLite/PostgreSQL branch outside the store's dialect module
#      (crates/consign-store/src/dialect/: spellings, bulk loads, COPY);
#   3. the web crate does not use the store (it reaches data through app use cases);
#   4. no import cycle between the top-level modules of a crate (scripts/module-cycles.py).
# scripts/layout-debts.txt lists what the code still owes (file and its size, or file and
# its number of backend branches). A listed file may shrink, never grow; one that now
# meets the rule must leave the list; a file not listed must meet the rule. The issue is
# done when the list is empty.
set -euo pipefail
cd "$(dirname "$0")/.."
debts=scripts/layout-debts.txt
fail=0
# The working tree's sources (tracked or new, not ignored, still present).
sources() { git ls-files -co --exclude-standard "$@" | while read -r f; do [ -f "$f" ] && echo "$f"; done; }
say() { echo "layout: $*" >&2; fail=1; }
owed() { awk -v k="$1" -v f="$2" '$1 == k && $2 == f { print $3 }' "$debts"; }

# 1. File size: lines before the first `#[cfg(test)]`.
for f in $(sources 'crates/*/src/*.rs' 'benches/src/*.rs'); do
  [ "$f" = crates/consign-domain/src/i18n.rs ] && continue
  n=$(awk '/^#\[cfg\(test\)\]/ { exit } { c++ } END { print c + 0 }' "$f")
  limit=$(owed size "$f")
  if [ -z "$limit" ]; then
    [ "$n" -gt 800 ] && say "$f has $n lines of code (at most 800): split it by capability"
  elif [ "$n" -gt "$limit" ]; then
    say "$f grew to $n lines (owed: $limit, target 800)"
  elif [ "$n" -le 800 ]; then
    say "$f is $n lines now: take its 'size' line out of $debts"
  fi
done

# 2. Backend branches: comparisons with, and match arms on, a backend.
re='(==|!=) *[A-Za-z_:]*(DbBackend|DatabaseBackend|Backend)::|(DbBackend|DatabaseBackend|Backend)::(Postgres|Sqlite|MySql)(\(_\))? *(=>|\|)|BulkConn::(Postgres|Sqlite)|Sqlx(Sqlite|Postgres)PoolConnection|is_postgres\(\)|match [a-z_.]*(backend|get_database_backend\(\)) *\{'
for f in $(sources 'crates/*/src/*.rs'); do
  case "$f" in crates/consign-store/src/dialect/*) continue ;; esac
  n=$(grep -cE "$re" "$f" || true)
  limit=$(owed branch "$f")
  if [ -z "$limit" ]; then
    [ "$n" -gt 0 ] && say "$f branches on the database backend $n times: move it to consign-store/src/dialect/"
  elif [ "$n" -gt "$limit" ]; then
    say "$f branches on the backend $n times (owed: $limit, target 0)"
  elif [ "$n" -eq 0 ]; then
    say "$f has no backend branch now: take its 'branch' line out of $debts"
  fi
done

# 3. The web crate and the store.
if grep -rnE 'consign_store|consign_app::store' crates/consign-web/src; then
  say "the web crate uses the store directly (above): call an app use case"
fi
if awk '/^\[dependencies\]/ { d = 1; next } /^\[/ { d = 0 } d && /^consign-store/' crates/consign-web/Cargo.toml | grep -q .; then
  say "crates/consign-web/Cargo.toml depends on consign-store"
fi

# 4. Import cycles between the top-level modules of a crate.
scripts/module-cycles.py || fail=1

# A debt about a file that no longer exists is stale.
while read -r kind f _; do
  case "$kind" in ''|'#'*|cycle) continue ;; esac
  [ -f "$f" ] || say "$debts names $f, which does not exist"
done <"$debts"

[ "$fail" -eq 0 ] && echo "layout: ok ($(grep -cvE '^(#|$)' "$debts") debts listed in $debts)"
exit "$fail"

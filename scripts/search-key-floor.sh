#!/usr/bin/env bash
# What writing the customer search keys costs each database by itself, outside Consign:
# the floor under `consign-bench import-customers` (issue 19, point 6; docs/performance.md).
#
#   scripts/search-key-floor.sh [DB] [POSTGRES_URL]
#
# DB: an SQLite database the customers benchmark wrote (default
# target/bench/import-customers/db/consign.db); its first file's customers (codes KA…)
# give the keys. Times, with the `sqlite3` shell and `psql` (when POSTGRES_URL is given;
# it uses and drops tables named skf_*):
#   1. the keys as Consign stores them, a (key, customer) b-tree, written the way an import
#      writes them: 20 batches of about 5,000 customers, each in key order, a commit per
#      10 batches, a 16 MB page cache;
#   2. the same with 8 KiB pages instead of 4 KiB;
#   3. the same keys in one statement, already in key order, into an empty b-tree (the
#      least any b-tree of them can cost);
#   4. SQLite's FTS5 (contentless, one document of keys per customer), in two commits;
#   5. PostgreSQL: the (key, customer) b-tree, then one text[] of keys per customer under a
#      GIN index, each in two statements.
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-target/bench/import-customers/db/consign.db}"
pg="${2:-}"
[ -f "$db" ] || { echo "search-key-floor.sh: no database at $db (run consign-bench import-customers first)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "search-key-floor.sh: needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() { # runs stdin through sqlite3 on $1, prints the wall time in seconds
  local start end
  start=$(date +%s.%N)
  sqlite3 "$1" >/dev/null
  end=$(date +%s.%N)
  printf '%.1f' "$(echo "$end - $start" | bc)"
}

sqlite3 "$work/src.db" <<EOF
attach '$db' as s;
create table src as select k.key, k.customer_id from s.search_keys k
  join s.customers c on c.id = k.customer_id where c.code like 'KA%' order by k.customer_id;
create table docs as select customer_id id, group_concat(key, ' ') ks from src group by customer_id;
EOF
rows=$(sqlite3 "$work/src.db" "select count(*) from src")
customers=$(sqlite3 "$work/src.db" "select count(*) from docs")
per=$(( (rows + 19) / 20 ))

batched() { # the import's shape: 20 sorted batches into the b-tree
  echo "pragma journal_mode=wal; pragma synchronous=normal; pragma cache_size=-16000;"
  echo "create table t(key text not null, customer_id integer not null, primary key(key, customer_id)) without rowid;"
  echo "begin;"
  for i in $(seq 0 19); do
    echo "insert into t select key, customer_id from src where rowid > $((i * per)) and rowid <= $(((i + 1) * per)) order by key, customer_id;"
    [ $((i % 10)) = 9 ] && echo "commit; begin;"
  done
  echo "commit;"
}

copy_src() { # $1: page size
  rm -f "$work/t.db"*
  sqlite3 "$work/t.db" "pragma page_size=$1; attach '$work/src.db' as s; create table src as select * from s.src order by rowid; create table docs as select * from s.docs;"
}

echo "keys: $rows of $customers customers ($(( rows / customers )) a customer)"
copy_src 4096
printf '%-60s %8s s\n' "SQLite b-tree, 20 sorted batches (as the import)" "$(batched | seconds "$work/t.db")"
copy_src 8192
printf '%-60s %8s s\n' "SQLite b-tree, 20 sorted batches, 8 KiB pages" "$(batched | seconds "$work/t.db")"
copy_src 4096
sqlite3 "$work/t.db" "create table sorted as select key, customer_id from src order by key, customer_id;"
printf '%-60s %8s s\n' "SQLite b-tree, all in key order into an empty table" "$(seconds "$work/t.db" <<'EOF'
pragma journal_mode=wal; pragma synchronous=normal; pragma cache_size=-16000;
create table t(key text not null, customer_id integer not null, primary key(key, customer_id)) without rowid;
insert into t select key, customer_id from sorted;
EOF
)"
half=$(( customers / 2 ))
printf '%-60s %8s s\n' "SQLite FTS5, contentless, two commits" "$(seconds "$work/t.db" <<EOF
pragma journal_mode=wal; pragma synchronous=normal; pragma cache_size=-16000;
create virtual table f using fts5(ks, content='', tokenize="unicode61 remove_diacritics 0 tokenchars ':'", detail=none);
begin; insert into f(rowid, ks) select id, ks from docs where rowid <= $half; commit;
begin; insert into f(rowid, ks) select id, ks from docs where rowid > $half; commit;
EOF
)"

if [ -n "$pg" ]; then
  sqlite3 -separator $'\t' "$work/src.db" "select id, ks from docs" > "$work/docs.tsv"
  PGOPTIONS="-c client_min_messages=warning" psql "$pg" -q -v ON_ERROR_STOP=1 >"$work/pg.out" <<EOF
drop table if exists skf_docs; drop table if exists skf_b; drop table if exists skf_g;
create table skf_docs(id bigint, ks text);
\copy skf_docs from '$work/docs.tsv'
create table skf_b(key text not null, customer_id bigint not null, primary key(key, customer_id));
create table skf_g(id bigint primary key, keys text[] not null);
create index skf_g_keys on skf_g using gin (keys);
\timing on
insert into skf_b select unnest(string_to_array(ks, ' ')), id from skf_docs where id <= (select percentile_disc(0.5) within group (order by id) from skf_docs);
insert into skf_b select unnest(string_to_array(ks, ' ')), id from skf_docs where id > (select percentile_disc(0.5) within group (order by id) from skf_docs);
insert into skf_g select id, string_to_array(ks, ' ') from skf_docs where id <= (select percentile_disc(0.5) within group (order by id) from skf_docs);
insert into skf_g select id, string_to_array(ks, ' ') from skf_docs where id > (select percentile_disc(0.5) within group (order by id) from skf_docs);
\timing off
drop table skf_docs; drop table skf_b; drop table skf_g;
EOF
  ms=($(grep -o 'Time: [0-9.]*' "$work/pg.out" | awk '{print $2}'))
  printf '%-60s %8.1f s\n' "PostgreSQL (key, customer) b-tree, two statements" "$(echo "(${ms[0]} + ${ms[1]}) / 1000" | bc -l)"
  printf '%-60s %8.1f s\n' "PostgreSQL text[] per customer under GIN, two statements" "$(echo "(${ms[2]} + ${ms[3]}) / 1000" | bc -l)"
fi

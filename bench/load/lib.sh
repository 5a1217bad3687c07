# Shared by bench/load.sh and bench/ab.sh (sourced from the repository's root, after
# target/bench/national.env): the quarter to report on, SQL on either backend, a working copy of
# a seeded database and the LAs the loads are about.

PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
TODAY=$(date -u +%F)
Y=$(date -u +%Y); M=$((10#$(date -u +%m)))
Q=$(( (M - 1) / 3 )); if [ "$Q" -eq 0 ]; then PERIOD="$((Y - 1))-Q4"; else PERIOD="$Y-Q$Q"; fi

sql() { # backend url query
  case "$1" in
    sqlite) sqlite3 -batch -noheader "${2#sqlite://}" "$3" ;;
    postgres) psql "$2" -qAtX -c "$3" ;;
  esac
}

load1() { # 1-minute load average
  cut -d' ' -f1 /proc/loadavg
}

field() { # RESULT line, name: a field's value
  tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"
}

copy_db() { # backend url suffix: copies the seeded database (SQLite file, or a PostgreSQL template copy); prints the copy's URL
  case "$1" in
    sqlite)
      sqlite3 "${2#sqlite://}" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
      cp "${2#sqlite://}" "$OUT/$3.db"
      # Written to disk before the server starts: the kernel's writeback of a freshly copied
      # 3 GB file otherwise ran through the first load (SQLite child reads, 16 connections:
      # p95 148 - 310 ms against 7 ms after a sync).
      sync "$OUT/$3.db"
      echo "sqlite://$(cd "$OUT" && pwd)/$3.db" ;;
    postgres)
      local src="${2##*/}"
      psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qAtX -c "DROP DATABASE IF EXISTS ${src}_$3 WITH (FORCE)" \
        -c "CREATE DATABASE ${src}_$3 TEMPLATE $src" -c "CHECKPOINT" > /dev/null
      # The copy goes through the write-ahead log: flushed now (CHECKPOINT, then sync), not by a
      # checkpoint in the middle of a load.
      sync
      echo "${2%/*}/${src}_$3" ;;
  esac
}

drop_copy() { # backend url: removes a copy made by copy_db
  case "$1" in
    sqlite) rm -f "${2#sqlite://}" "${2#sqlite://}"-{wal,shm,audit,audit-wal,audit-shm} ;;
    postgres) psql "$PG_ADMIN_URL" -qAtX -c "DROP DATABASE IF EXISTS ${2##*/} WITH (FORCE)" ;;
  esac
}

largest_host() { # backend url: the host LA with the most children placed today
  sql "$1" "$2" "SELECT host_area FROM placements WHERE start_date <= '$TODAY' AND (end_date IS NULL OR end_date > '$TODAY') GROUP BY host_area ORDER BY count(*) DESC LIMIT 1"
}

largest_placing() { # backend url: the LA responsible for the most children
  sql "$1" "$2" "SELECT responsible_la FROM children GROUP BY responsible_la ORDER BY count(*) DESC LIMIT 1"
}

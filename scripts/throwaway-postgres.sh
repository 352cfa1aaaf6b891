# Sourced by test.sh and bench.sh: starts a PostgreSQL server for this run only, in a temp directory on a free
# loopback port, as an unprivileged user (initdb refuses root), and stops and removes it when the shell exits.
# Exports CRM_TEST_POSTGRES, a connection string for the server's superuser.
# Extra server settings may be passed as arguments, e.g. "-c fsync=off".

throwaway_postgres_start() {
  local pg_bin user port candidate
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)." >&2
    return 1
  fi

  CRM_PG_DIR=$(mktemp -d /tmp/crm-postgres.XXXXXX)
  CRM_PG_RUN=()
  if [[ $(id -u) -eq 0 ]]; then
    user=postgres
    id -u "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$CRM_PG_DIR"
    CRM_PG_RUN=(runuser -u "$user" --)
  fi

  "${CRM_PG_RUN[@]}" "$pg_bin/initdb" -D "$CRM_PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$CRM_PG_DIR/initdb.log" 2>&1 \
    || { cat "$CRM_PG_DIR/initdb.log" >&2; return 1; }

  # Ports are drawn below the kernel's ephemeral range, so outgoing connections do not hold them; a port taken
  # between the probe and the server's bind (another run starting at the same moment) is retried on another one.
  local attempt
  for attempt in 1 2 3 4 5; do
    port=""
    for candidate in $(shuf -i 20000-32000 -n 50); do
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        port=$candidate
        break
      fi
    done
    [[ -n "$port" ]] || { echo "No free port found for PostgreSQL." >&2; return 1; }
    rm -f "$CRM_PG_DIR/postgres.log"
    if "${CRM_PG_RUN[@]}" "$pg_bin/pg_ctl" -D "$CRM_PG_DIR/data" -l "$CRM_PG_DIR/postgres.log" -w \
      -o "-p $port -k $CRM_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 $*" start >/dev/null; then
      break
    fi
    if ! grep -q "Address already in use" "$CRM_PG_DIR/postgres.log" || ((attempt == 5)); then
      cat "$CRM_PG_DIR/postgres.log" >&2
      return 1
    fi
    echo "Port $port was taken before PostgreSQL bound it; trying another." >&2
  done

  CRM_PG_BIN=$pg_bin
  export CRM_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  trap throwaway_postgres_stop EXIT
  echo "Throwaway PostgreSQL on 127.0.0.1:$port ($CRM_PG_DIR)"
}

throwaway_postgres_stop() {
  if [[ -n "${CRM_PG_DIR:-}" && -d "$CRM_PG_DIR" ]]; then
    "${CRM_PG_RUN[@]}" "$CRM_PG_BIN/pg_ctl" -D "$CRM_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$CRM_PG_DIR"
  fi
}

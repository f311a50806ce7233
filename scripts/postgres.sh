#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1 (port 5432 unless FACEGATE_PG_PORT says
# otherwise) and prints, on stdout and alone, a URL the test suite can use as
# FACEGATE_TEST_DATABASE_URL (a role allowed to create databases). Everything else goes to stderr.
#
# Idempotent, skips what is there:
#   1. FACEGATE_TEST_DATABASE_URL already set and answering: printed as is.
#   2. A server with trust auth on loopback (postgres@127.0.0.1): that URL.
#   3. A URL this script saved earlier (.tools/postgres-<port>.url) that still answers.
#   4. Otherwise: installs Debian's postgresql when missing (apt-get), creates and starts the
#      cluster (FACEGATE_PG_CLUSTER, default main) on the port, creates the role facegate_test
#      with a random password and CREATEDB, saves its URL (mode 600) and prints it.
# Exits non-zero, saying why, when it cannot (not root and no passwordless sudo, no apt-get ...).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${FACEGATE_PG_PORT:-5432}
cluster=${FACEGATE_PG_CLUSTER:-main}
role=facegate_test
saved="$root/.tools/postgres-$port.url"

say() { printf '[postgres] %s\n' "$*" >&2; }
fail() { printf '[postgres] cannot provide PostgreSQL: %s\n' "$*" >&2; exit 1; }

# Root, or passwordless sudo: nothing here ever prompts.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    fail "'$*' needs root (run as root or allow passwordless sudo)"
  fi
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then
    "$@"
  else
    as_root runuser -u postgres -- "$@"
  fi
}

# True when the URL logs in and runs a query. The URL goes through the environment, never argv.
answers() {
  command -v psql >/dev/null || return 1
  PGCONNECT_TIMEOUT=3 PGURL="$1" bash -c 'psql "$PGURL" -Atqc "SELECT 1"' >/dev/null 2>&1
}

if [ -n "${FACEGATE_TEST_DATABASE_URL:-}" ] && answers "$FACEGATE_TEST_DATABASE_URL"; then
  say "using FACEGATE_TEST_DATABASE_URL from the environment"
  printf '%s\n' "$FACEGATE_TEST_DATABASE_URL"
  exit 0
fi

trust_url="postgres://postgres@127.0.0.1:$port/postgres"
if answers "$trust_url"; then
  say "a server answers on 127.0.0.1:$port with trust auth"
  printf '%s\n' "$trust_url"
  exit 0
fi

if [ -r "$saved" ] && answers "$(cat "$saved")"; then
  say "a server answers on 127.0.0.1:$port (saved role $role)"
  cat "$saved"
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  command -v apt-get >/dev/null || fail "no PostgreSQL server installed and no apt-get to install one"
  say "installing Debian's postgresql (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 \
    || fail "apt-get install postgresql failed"
fi

# The cluster on our port, else the one named $cluster of the newest installed version.
read -r version status < <(pg_lsclusters -h | awk -v p="$port" '$3 == p {print $1, $4; exit}') || true
if [ -z "${version:-}" ]; then
  newest=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  [ -n "$newest" ] || fail "postgresql is installed but no server version is under /usr/lib/postgresql"
  if pg_lsclusters -h | awk -v v="$newest" -v c="$cluster" '$1 == v && $2 == c {f=1} END {exit !f}'; then
    fail "cluster $newest/$cluster exists on another port; set FACEGATE_PG_PORT to that port"
  fi
  say "creating cluster $newest/$cluster on port $port (initdb runs as postgres)"
  as_root pg_createcluster "$newest" "$cluster" --port "$port" >&2 \
    || fail "pg_createcluster $newest $cluster failed"
  version=$newest
  status=down
else
  cluster=$(pg_lsclusters -h | awk -v p="$port" '$3 == p {print $2; exit}')
fi

if [ "$status" != online ]; then
  say "starting cluster $version/$cluster"
  as_root pg_ctlcluster "$version" "$cluster" start >&2 \
    || fail "pg_ctlcluster $version $cluster start failed (see /var/log/postgresql/)"
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" \
  || fail "cluster $version/$cluster does not answer on 127.0.0.1:$port (listen_addresses?)"

if answers "$trust_url"; then
  say "the server answers on 127.0.0.1:$port with trust auth"
  printf '%s\n' "$trust_url"
  exit 0
fi
if [ -r "$saved" ] && answers "$(cat "$saved")"; then
  say "the server answers on 127.0.0.1:$port (saved role $role)"
  cat "$saved"
  exit 0
fi

# Loopback asks for a password (Debian's default): a test role of our own, over the socket.
say "creating role $role (CREATEDB) with a fresh random password"
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -Atq >/dev/null <<SQL || fail "could not create role $role"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB;
  END IF;
END \$\$;
ALTER ROLE $role PASSWORD '$password';
SQL
url="postgres://$role:$password@127.0.0.1:$port/postgres"
answers "$url" || fail "role $role cannot log in on 127.0.0.1:$port (check pg_hba.conf)"
mkdir -p "$root/.tools"
(umask 077 && printf '%s\n' "$url" >"$saved")
say "saved the URL in ${saved#"$root"/} (mode 600)"
printf '%s\n' "$url"

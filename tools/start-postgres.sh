#!/usr/bin/env bash
# Starts a local PostgreSQL server for the database tests and creates the
# role and database they use (cscdemand/cscdemand on localhost). Installs
# Debian's postgresql first if needed. Prints what it did; exits 0 only when
# the server accepts connections.
set -uo pipefail
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$ver main"; then
  as_root pg_createcluster "$ver" main >/dev/null
fi
as_root pg_ctlcluster "$ver" main start 2>/dev/null || true
for i in $(seq 1 30); do
  pg_isready -h localhost -q && break
  sleep 1
done
if ! pg_isready -h localhost -q; then
  echo "PostgreSQL did not start; database tests will be skipped"
  exit 1
fi
as_pg psql -q -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'cscdemand'" | grep -q 1 ||
  as_pg psql -q -c "CREATE ROLE cscdemand LOGIN PASSWORD 'cscdemand'"
as_pg psql -q -tAc "SELECT 1 FROM pg_database WHERE datname = 'cscdemand'" | grep -q 1 ||
  as_pg psql -q -c "CREATE DATABASE cscdemand OWNER cscdemand"
echo "PostgreSQL $ver running on localhost (database cscdemand)"

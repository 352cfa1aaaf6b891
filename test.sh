#!/usr/bin/env bash
# The whole test suite. PostgreSQL tests use the server in CRM_TEST_POSTGRES (a connection string for a user who may
# create databases); when it is not set, a throwaway server is started for this run and removed afterwards.
# Arguments go to dotnet test, e.g. ./test.sh --filter "FullyQualifiedName~Timeline".
set -euo pipefail
cd "$(dirname "$0")"

if [[ -z "${CRM_TEST_POSTGRES:-}" ]]; then
  source scripts/throwaway-postgres.sh
  # Durability across crashes of the database server is not under test: trade it for speed.
  throwaway_postgres_start -c fsync=off -c synchronous_commit=off -c full_page_writes=off
fi

dotnet test Crm.Orleans.sln "$@"

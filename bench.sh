#!/usr/bin/env bash
# Runs every benchmark and writes docs/benchmarks.md. Uses the PostgreSQL server in CRM_BENCH_POSTGRES (a connection
# string for a user who may create databases), or starts a throwaway one with default durability settings.
# Arguments go to the benchmark program, e.g. ./bench.sh all --seconds 30
set -euo pipefail
cd "$(dirname "$0")"

if [[ -z "${CRM_BENCH_POSTGRES:-}" ]]; then
  source scripts/throwaway-postgres.sh
  throwaway_postgres_start
  export CRM_BENCH_POSTGRES="$CRM_TEST_POSTGRES"
fi

dotnet run -c Release --project Crm.Benchmarks -- "${@:-all}"

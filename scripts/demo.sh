#!/usr/bin/env bash
# The demo: bundled sample exports in, stats out. Grows into simulate → ingest → analyze → study → report.
set -euo pipefail
db="$1"
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm"
.venv/bin/tgintel ingest --db "$db" samples/exports
.venv/bin/tgintel stats --db "$db"

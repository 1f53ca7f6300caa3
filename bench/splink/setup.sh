#!/usr/bin/env bash
# Creates bench/splink/.venv with the pinned Splink 5 + DuckDB stack.
# Idempotent: does nothing when the venv already has splink 5.0.0.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [ -x "$venv/bin/python" ] &&
   [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("splink"))' 2>/dev/null)" = "5.0.0" ]; then
  echo "bench/splink/.venv already has splink 5.0.0"
  exit 0
fi

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
"$venv/bin/python" -c 'import splink, duckdb, pandas, pyarrow; print("splink", splink.__version__, "duckdb", duckdb.__version__)'

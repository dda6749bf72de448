#!/usr/bin/env bash
# Checks that Python is `ruff format`-formatted and `ruff check`-clean and that Starlark is
# `buildifier --lint=warn` clean. Exits non-zero on any finding. `--fix` rewrites files instead.
# Installs the pinned ruff into tools/lint/.venv and buildifier through tools/setup on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$root/tools/setup/install_deps.sh"
venv="$root/tools/lint/.venv"
if [[ ! -x "$venv/bin/ruff" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --require-hashes --only-binary=:all: -r tools/lint/requirements_lock.txt
fi
ruff="$venv/bin/ruff"
buildifier="$root/tools/setup/node_modules/.bin/buildifier"
starlark_files=$(git ls-files --cached --others --exclude-standard '*.bzl' '*.bazel' 'WORKSPACE' 'BUILD' | grep -v '^third_party/offline/')

if [[ "${1:-}" == "--fix" ]]; then
  "$ruff" format .
  "$ruff" check --fix . || true  # What remains is reported by the check run.
  $buildifier --mode=fix --lint=fix $starlark_files
  exit 0
fi
status=0
"$ruff" format --check . || status=1
"$ruff" check . || status=1
$buildifier --mode=check --lint=warn $starlark_files || status=1
if [[ $status -ne 0 ]]; then
  echo "lint: findings above; 'tools/lint/lint.sh --fix' rewrites what can be fixed automatically." >&2
fi
exit $status

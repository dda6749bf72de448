#!/usr/bin/env bash
# Installs what rules_jax needs on a fresh Debian machine, skipping what is already there:
# the Debian packages in debian_packages.txt (apt-get; needs root) and the npm tools in
# tools/setup/package.json (into tools/setup/node_modules, from the lock file; //bench reads
# @jax-js/jax from there).
# Safe to run repeatedly; prints nothing when everything is installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

missing=()
while read -r package _; do
  [[ -z "$package" || "$package" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done < "$here/debian_packages.txt"

if (( ${#missing[@]} )); then
  echo "rules_jax setup: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm writes node_modules/.package-lock.json on install; a newer package-lock.json means the
# pinned set changed since, so install again.
if [[ -f "$here/package.json" && ( ! -d "$here/node_modules" || "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ) ]]; then
  echo "rules_jax setup: installing npm tools" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

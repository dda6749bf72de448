#!/usr/bin/env bash
# Builds TARGETS from two fresh clones of HEAD, at different paths and with separate Bazel
# output bases (so nothing is shared: not the Python environment, not the cache), and checks
# that every output file is byte-identical. Prints the files compared and any that differ.
#
#   tools/check/reproducibility.sh [TARGET...]      (default: //examples:all)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
targets=("${@:-//examples:all}")
work="$(mktemp -d)"
trap 'for d in "$work"/*/; do (cd "$d/src" 2>/dev/null && bazel --output_user_root="$d/out" shutdown) || true; done; rm -rf "$work"' EXIT

build() {  # build NAME: clone into $work/NAME/src and build there
  local dir="$work/$1"
  git clone --quiet "$root" "$dir/src"
  (cd "$dir/src" && bazel --output_user_root="$dir/out" build --noshow_progress "${targets[@]}" >"$dir/build.log" 2>&1) \
    || { cat "$dir/build.log"; exit 1; }
  (cd "$dir/src/bazel-bin" && find . -type f ! -path "*.runfiles*" ! -name "*.params" ! -name "*MANIFEST" \
     ! -name "*.sh" -print0 | sort -z | xargs -0 sha256sum) >"$dir/sums"
}

build first
build second-checkout-with-a-longer-path
echo "compared $(wc -l <"$work/first/sums") output files"
if diff "$work/first/sums" "$work/second-checkout-with-a-longer-path/sums"; then
  echo "reproducible: all outputs byte-identical"
else
  echo "NOT reproducible: the files above differ" >&2
  exit 1
fi

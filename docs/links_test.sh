#!/usr/bin/env bash
# Fails when README.md or a guide in docs/ links or points outside the
# repository (a path starting with ../ or /work), when a Markdown link's target
# does not exist, or when a docs/<name>.md it names does not exist.
set -euo pipefail
cd "${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}"
status=0
fail() {
  echo "links_test: $1" >&2
  status=1
}
for md in README.md docs/*.md; do
  dir=$(dirname "$md")
  while IFS= read -r target; do
    case "$target" in
      http://* | https://* | '#'*) continue ;;
    esac
    target=${target%%#*}
    [[ -e "$dir/$target" ]] || fail "$md links to $target, which is not in the repository"
  done < <(grep -o '\]([^) ]*)' "$md" | sed 's/^](//; s/)$//' | grep -v '^[a-z:]*$' || true)
  while IFS= read -r path; do
    fail "$md points outside the repository: $path"
  done < <(grep -oE '(\.\./[^ )`]+|/work/[^ )`]+)' "$md" || true)
  while IFS= read -r doc; do
    [[ -e $doc ]] || fail "$md names $doc, which does not exist"
  done < <(grep -oE '\bdocs/[a-z0-9_-]+\.md' "$md" | sort -u || true)
done
exit "$status"

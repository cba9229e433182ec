#!/usr/bin/env bash
# Build the collection tarball, install it into an empty collections path (offline, as an air-gapped
# user would), and check that every module in plugins/modules is listed by ansible-doc from there and
# that the tarball carries no venvs, caches, keys or secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=.build/dist
target=$(mktemp -d "${TMPDIR:-/tmp}/airflow-ops-install.XXXXXX")
trap 'rm -rf "$target"' EXIT
rm -rf "$dist" && mkdir -p "$dist"
ansible-galaxy collection build --output-path "$dist" --force >/dev/null
tarball=$(ls "$dist"/airflow_ops-metastore-*.tar.gz)
echo "built $tarball ($(du -h "$tarball" | cut -f1))"

forbidden=$(tar tzf "$tarball" | grep -E '(^|/)(\.venv|\.build|\.git|__pycache__|\.pytest_cache|\.ruff_cache|\.cache)(/|$)|\.(pem|key|pyc)$|(^|/)\.env$' || true)
if [[ -n $forbidden ]]; then
  echo "the tarball contains files it must not ship:" >&2
  echo "$forbidden" >&2
  exit 1
fi

ANSIBLE_COLLECTIONS_PATH="$target" ansible-galaxy collection install --offline --no-deps -p "$target" "$tarball" >/dev/null
listed=$(ANSIBLE_COLLECTIONS_PATH="$target" ansible-doc -t module -l airflow_ops.metastore | awk '{print $1}' | sort)
expected=$(find plugins/modules -name '*.py' ! -name '__init__.py' -printf 'airflow_ops.metastore.%f\n' | sed 's/\.py$//' | sort)
if [[ "$listed" != "$expected" ]]; then
  echo "ansible-doc lists a different set of modules than plugins/modules holds:" >&2
  diff <(echo "$expected") <(echo "$listed") >&2 || true
  exit 1
fi
echo "installed into a clean path; ansible-doc lists $(echo "$expected" | grep -c . || true) module(s):"
echo "$listed"

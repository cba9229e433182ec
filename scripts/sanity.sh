#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection placed where ansible-test wants it:
# .build/sanity/ansible_collections/airflow_ops/metastore (tracked and new, non-ignored files only).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.build/sanity/ansible_collections/airflow_ops/metastore
rm -rf .build/sanity && mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [[ -e $f ]] && printf '%s\0' "$f"
done | rsync -a --from0 --files-from=- ./ "$dest/"
cd "$dest"
# --python pins the one interpreter this machine has; tests that need extra tools install them.
ansible-test sanity --python "$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')" \
  --requirements --color no "$@"

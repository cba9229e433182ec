#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection placed where ansible-test wants it:
# <tmp>/ansible_collections/airflow_ops/metastore. The copy lives outside this checkout (ansible-test
# would otherwise list files through this repo's git, where .build/ is ignored) and is a git repo of
# its own holding the tracked and new, non-ignored files only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d "${TMPDIR:-/tmp}/airflow-ops-sanity.XXXXXX")
trap 'rm -rf "$root"' EXIT
dest="$root/ansible_collections/airflow_ops/metastore"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [[ -e $f ]] && printf '%s\0' "$f"
done | rsync -a --from0 --files-from=- ./ "$dest/"
cd "$dest"
git init -q && git add -A && git -c user.name=sanity -c user.email=sanity@invalid commit -qm sanity
# ansible-test bootstraps pip in its sanity venvs with a get-pip script from a host CI cannot reach:
# seed its cache with an equivalent that uses ensurepip + PyPI (scripts/lib/get_pip_offline.py).
pip_version=$(python3 -c 'import sys; from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version="%d.%d" % sys.version_info[:2]))["pip"])')
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cmp -s "$dest/scripts/lib/get_pip_offline.py" "$cache" || cp "$dest/scripts/lib/get_pip_offline.py" "$cache"
# --python pins the one interpreter this machine has; --requirements installs what each test needs.
ansible-test sanity --python "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  --requirements --color no "$@"

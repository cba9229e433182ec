#!/usr/bin/env bash
# Run every Molecule scenario under molecule/ (or those named as arguments), one after another,
# each through its full sequence (create, converge, idempotence, verify, destroy). Stops at the first
# failing scenario and says which one.
set -euo pipefail
cd "$(dirname "$0")/.."
if (($#)); then
  scenarios=("$@")
else
  mapfile -t scenarios < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -n1 basename | sort)
fi
failed=()
log_dir=.build/molecule-logs
install -d -m 0700 "$log_dir"

# A scenario run with -vvv (ANSIBLE_VERBOSITY 3, as AWX's verbosity 3) must not show any of its secrets.
secrets_absent_from_output() {
  grep -qE '^ +ANSIBLE_VERBOSITY: "3"' "molecule/$1/molecule.yml" || return 0
  python molecule/shared/files/secret_scan.py output "molecule/$1" "$2"
}
for s in "${scenarios[@]}"; do
  # No CockroachDB binary can be fetched on these machines: the scenario needs one handed to it.
  if [[ $s == cockroachdb && -z ${AIRFLOW_OPS_TEST_CRDB_TARBALL:-} ]]; then
    echo "=== scenario cockroachdb SKIPPED: set AIRFLOW_OPS_TEST_CRDB_TARBALL to a cockroach release archive to run it"
    continue
  fi
  echo "=== molecule test -s $s"
  start=$SECONDS
  # Ansible's "FAILED - RETRYING" lines are polling progress, not failures: renamed so that a search of the
  # log for FAILED finds only real ones (pipefail keeps molecule's exit status).
  # The whole output is kept (root only: it holds test credentials) for the secret scan below.
  log="$log_dir/$s.log"
  # The terminal gets the output without -vvv's connection lines ("<host> EXEC ..."); the log keeps them.
  if molecule test -s "$s" 2>&1 | sed -u 's/^FAILED - RETRYING: /retrying: /' | tee "$log" | sed -u '/^<[^>]*> /d' &&
    secrets_absent_from_output "$s" "$log"; then
    echo "=== scenario $s passed in $((SECONDS - start)) s"
  else
    echo "=== scenario $s FAILED after $((SECONDS - start)) s"
    failed+=("$s")
    molecule destroy -s "$s" >/dev/null 2>&1 || true
  fi
done
if ((${#failed[@]})); then
  echo "molecule: ${#failed[@]} scenario(s) failed: ${failed[*]}"
  exit 1
fi
echo "molecule: ${#scenarios[@]} scenario(s) passed"

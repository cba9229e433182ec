#!/usr/bin/env bash
# Run every Molecule scenario under molecule/ (or those named as arguments), each through its full
# sequence (create, converge, idempotence, verify, destroy), and say which ones failed.
# MOLECULE_JOBS scenarios run at once (default 2): most of a scenario's time is waiting (pip, apt, health
# polls, the 75 s no-restart watch), not CPU. Scenarios whose verify measures timing (haproxy's failover
# window) run alone afterwards. Each scenario's output is printed whole when it ends, not interleaved.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${MOLECULE_JOBS:-2}
# Timing-sensitive verifies: never beside another scenario.
ALONE=(haproxy)
if (($#)); then
  scenarios=("$@")
else
  mapfile -t scenarios < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -n1 basename | sort)
fi
log_dir=.build/molecule-logs
# Root only: the logs hold the scenarios' test credentials.
install -d -m 0700 "$log_dir"
rm -f "$log_dir"/*.status

# A scenario run with -vvv (ANSIBLE_VERBOSITY 3, as AWX's verbosity 3) must not show any of its secrets.
secrets_absent_from_output() {
  grep -qE '^ +ANSIBLE_VERBOSITY: "3"' "molecule/$1/molecule.yml" || return 0
  python molecule/shared/files/secret_scan.py output "molecule/$1" "$2"
}

# One scenario, its whole output in $log_dir/<scenario>.log and its result in <scenario>.status.
# Ansible's "FAILED - RETRYING" lines are polling progress, not failures: renamed so that a search of the
# log for FAILED finds only real ones.
run_scenario() {
  local s=$1 start=$SECONDS log="$log_dir/$1.log" status=passed scan
  if ! molecule test -s "$s" >"$log" 2>&1; then
    status=FAILED
    molecule destroy -s "$s" >/dev/null 2>&1 || true
  elif ! scan=$(secrets_absent_from_output "$s" "$log" 2>&1); then
    status=FAILED
  fi
  [[ -n ${scan:-} ]] && echo "$scan" >>"$log"
  sed -i 's/^FAILED - RETRYING: /retrying: /' "$log"
  echo "$status $((SECONDS - start))" >"$log_dir/$s.status"
}

# The terminal gets each log without -vvv's connection lines ("<host> EXEC ..."); the file keeps them.
report() {
  local s=$1 status seconds
  read -r status seconds <"$log_dir/$s.status"
  echo "=== molecule test -s $s"
  sed '/^<[^>]*> /d' "$log_dir/$s.log"
  echo "=== scenario $s $status in $seconds s"
}

skip_reason() {
  # No CockroachDB binary can be fetched on these machines: the scenario needs one handed to it.
  if [[ $1 == cockroachdb && -z ${AIRFLOW_OPS_TEST_CRDB_TARBALL:-} ]]; then
    echo "set AIRFLOW_OPS_TEST_CRDB_TARBALL to a cockroach release archive to run it"
  fi
}

together=() alone=() ran=() started=()
for s in "${scenarios[@]}"; do
  reason=$(skip_reason "$s")
  if [[ -n $reason ]]; then
    echo "=== scenario $s SKIPPED: $reason"
  elif [[ " ${ALONE[*]} " == *" $s "* ]]; then
    alone+=("$s")
  else
    together+=("$s")
  fi
done

# Print every started scenario that has ended and was not printed yet.
report_ended() {
  local s
  for s in "${started[@]}"; do
    if [[ -f $log_dir/$s.status && " ${ran[*]} " != *" $s "* ]]; then
      report "$s"
      ran+=("$s")
    fi
  done
}

started=()
for s in "${together[@]}"; do
  while (($(jobs -rp | wc -l) >= JOBS)); do
    wait -n || true
    report_ended
  done
  echo "=== started $s"
  run_scenario "$s" &
  started+=("$s")
done
wait
report_ended
for s in "${alone[@]}"; do
  echo "=== started $s (alone)"
  run_scenario "$s"
  report "$s"
  ran+=("$s")
done

failed=()
for s in "${ran[@]}"; do
  grep -q '^passed ' "$log_dir/$s.status" || failed+=("$s")
done
if ((${#failed[@]})); then
  echo "molecule: ${#failed[@]} of ${#ran[@]} scenario(s) failed: ${failed[*]}"
  exit 1
fi
echo "molecule: ${#ran[@]} scenario(s) passed"

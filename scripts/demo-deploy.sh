#!/usr/bin/env bash
# The demo (README's first command, `make demo`): three podman hosts on one network,
#   airflow-demo-source  PostgreSQL 15 + Airflow 3 (all services)
#   airflow-demo-lb      HAProxy, port 5432 -> airflow-demo-target
#   airflow-demo-target  an empty PostgreSQL 15
# deploys them with playbooks/site.yml, runs a few DAG runs, then moves Airflow's metadata database to the
# target through HAProxy with playbooks/migrate_metastore.yml, and prints the Airflow URL, where the admin password is,
# health before and after and the measured downtime window. The containers keep running (it is a demo).
# Re-running it reuses the hosts and the generated passwords; the migration then reports that it is done.
# --no-migrate stops after the deployment and the DAG runs.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${AIRFLOW_OPS_TEST_IMAGE:-localhost/airflow-ops-test:bookworm}"
# Overridable so the end-to-end test can run beside a running demo (tests/integration/test_playbooks_e2e.py).
PREFIX="${DEMO_PREFIX:-airflow-demo}"
NETWORK="$PREFIX"
SUBNET="${DEMO_SUBNET:-10.89.77.0/24}"
SOURCE="$PREFIX-source"
TARGET="$PREFIX-target"
HOSTS=("$SOURCE" "$PREFIX-lb" "$TARGET")
INVENTORY="${DEMO_INVENTORY:-inventories/demo}"
STATE_DIR="${DEMO_STATE_DIR:-.build/demo}"
SECRETS="$STATE_DIR/secrets.yml"
# Written once site.yml and the DAG runs have finished: the hosts are then worth keeping.
DEPLOYED="$STATE_DIR/deployed"
DAG_RUNS="${DEMO_DAG_RUNS:-3}"
MIGRATE=true
# The machine's pip cache for test hosts (scripts/prepare-test-hosts.sh makes it): Airflow's wheels are
# downloaded once per machine, not once per host and run.
PIP_CACHE=/var/cache/airflow-ops/pip
[[ ${1:-} == --no-migrate ]] && MIGRATE=false

log() { printf '\n[demo] %s\n' "$*"; }

export ANSIBLE_CONFIG="$PWD/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$PWD/.build/collections"
export ANSIBLE_FORCE_COLOR=0
# shellcheck disable=SC1091
[[ -f .venv/bin/activate ]] && source .venv/bin/activate

# A network made before podman had a DNS plugin never gets one: its containers cannot resolve each
# other's names (haproxy -c then fails with "could not resolve address").
network_has_dns() {
  [[ $(podman network inspect -f '{{.DNSEnabled}}' "$NETWORK" 2>/dev/null) == true ]]
}

remove_hosts() {
  podman rm -f "${HOSTS[@]}" >/dev/null 2>&1 || true
  podman network rm -f "$NETWORK" >/dev/null 2>&1 || true
  rm -f "$DEPLOYED"
}

# Hosts from an earlier run are reused only when that run finished its deployment, the hosts run the
# current test image and the network resolves names; anything else (a run that failed half-way, a rebuilt
# image, a network without DNS) is removed and made anew, since re-running on top of it hides the cause.
reusable_hosts() {
  local image host
  [[ -f $DEPLOYED ]] && network_has_dns || return 1
  image=$(podman image inspect -f '{{.Id}}' "$IMAGE")
  for host in "${HOSTS[@]}"; do
    [[ $(podman container inspect -f '{{.Image}}' "$host" 2>/dev/null) == "$image" ]] || return 1
  done
}

wait_for_systemd() {
  local host=$1 _
  for _ in $(seq 60); do
    podman exec "$host" systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded' && return 0
    sleep 1
  done
  echo "[demo] $host: systemd did not come up in 60 s; see: podman logs $host" >&2
  return 1
}

# Every host must resolve every other one by name before anything is deployed.
check_name_resolution() {
  local from to
  for from in "${HOSTS[@]}"; do
    for to in "${HOSTS[@]}"; do
      [[ $from == "$to" ]] && continue
      if ! podman exec "$from" getent hosts "$to" >/dev/null; then
        cat >&2 <<MSG
[demo] $from cannot resolve $to on podman network $NETWORK: the network has no DNS.
       podman's CNI backend needs the dnsname plugin: run 'bash scripts/install-host-deps.sh' (it installs
       golang-github-containernetworking-plugin-dnsname; if dpkg lists it but /usr/lib/cni/dnsname is missing,
       apt-get install --reinstall it), then run the demo again: it recreates the network and the hosts.
MSG
        return 1
      fi
    done
  done
}

start_hosts() {
  if podman container exists "$SOURCE" && ! reusable_hosts; then
    log "hosts without a finished deployment recorded in $STATE_DIR (an unfinished or another checkout's run, or a changed image or network): recreating them"
    remove_hosts
  fi
  if podman network exists "$NETWORK" && ! network_has_dns; then
    podman network rm -f "$NETWORK" >/dev/null
  fi
  install -d -m 0700 "$PIP_CACHE"
  podman network exists "$NETWORK" || podman network create --subnet "$SUBNET" "$NETWORK" >/dev/null
  for host in "${HOSTS[@]}"; do
    if podman container exists "$host"; then
      podman start "$host" >/dev/null
    else
      podman run -d --name "$host" --hostname "$host" --network "$NETWORK" \
        --privileged --systemd=always --volume "$PIP_CACHE:/root/.cache/pip:rw" "$IMAGE" /sbin/init >/dev/null
    fi
  done
  for host in "${HOSTS[@]}"; do wait_for_systemd "$host"; done
  check_name_resolution
}

write_secrets() {
  mkdir -p "$STATE_DIR"
  if [[ ! -s $SECRETS ]]; then
    (
      umask 077
      printf 'airflow_db_password: "%s"\nairflow_admin_password: "%s"\n' \
        "$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" \
        "$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" >"$SECRETS"
    )
  fi
}

airflow_cli() {  # run the airflow CLI on the source host, as Airflow's services do
  podman exec "$SOURCE" bash -c \
    'set -a; . /etc/airflow/airflow.env; set +a; cd /tmp; runuser -u airflow -- /opt/airflow/venv/bin/airflow "$@"' \
    airflow "$@"
}

health() {
  local ip
  ip=$(podman inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$SOURCE")
  curl -fsS --max-time 10 "http://$ip:8080/api/v2/monitor/health" || echo '{"error": "unreachable"}'
}

# A plain restart of the same Airflow services until the metadata database reports healthy, polled every
# 0.2 s as the migration's health wait does: the yardstick printed next to the migration's downtime window.
plain_restart_seconds() {
  podman exec "$SOURCE" python3 -c '
import json, subprocess, time, urllib.request
listed = subprocess.run(["systemctl", "list-units", "--state=running", "--plain", "--no-legend", "airflow-*.service"],
                        capture_output=True, text=True, check=True).stdout
units = [line.split()[0] for line in listed.splitlines() if line.strip()]
start = time.monotonic()
subprocess.run(["systemctl", "restart", *units], check=True)
while time.monotonic() - start < 300:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8080/api/v2/monitor/health", timeout=2) as answer:
            if json.load(answer).get("metadatabase", {}).get("status") == "healthy":
                break
    except OSError:
        pass
    time.sleep(0.2)
print(round(time.monotonic() - start, 1))'
}

make_dag_runs() {
  podman cp playbooks/files/metastore_demo_dag.py "$SOURCE":/opt/airflow/dags/metastore_demo_dag.py
  podman exec "$SOURCE" chown airflow:airflow /opt/airflow/dags/metastore_demo_dag.py
  airflow_cli dags reserialize >/dev/null 2>&1
  airflow_cli dags unpause metastore_demo >/dev/null
  for _ in $(seq "$DAG_RUNS"); do airflow_cli dags trigger metastore_demo >/dev/null; done
  log "waiting for $DAG_RUNS DAG runs to finish"
  for _ in $(seq 60); do
    local states
    states=$(airflow_cli dags list-runs metastore_demo -o plain 2>/dev/null | awk '$1 == "metastore_demo" {print $3}' | sort | uniq -c | xargs)
    echo "  runs: ${states:-none yet}"
    if [[ -n $states ]] && ! grep -qE 'queued|running' <<<"$states"; then return 0; fi
    sleep 5
  done
  echo "[demo] DAG runs did not finish in 5 minutes; migrating anyway" >&2
}

main() {
  local t0=$SECONDS
  log "starting podman hosts ${HOSTS[*]} on network $NETWORK ($SUBNET)"
  start_hosts
  write_secrets

  if podman exec "$SOURCE" test -f /etc/airflow/metastore-migration.json; then
    # site.yml would point Airflow back at the inventory's database (the source): the inventory
    # describes the deployment before the migration.
    log "already deployed and migrated: skipping site.yml and the DAG runs"
  else
    log "deploying with playbooks/site.yml (PostgreSQL, HAProxy, Airflow 3)"
    ansible-playbook -i "$INVENTORY" playbooks/site.yml -e @"$SECRETS"
    log "filling Airflow with DAG runs"
    make_dag_runs
    touch "$DEPLOYED"
  fi
  local before after
  before=$(health)
  if ! $MIGRATE; then
    log "deployed; not migrating (--no-migrate). Health: $before"
    return 0
  fi

  local restart="-"
  if ! podman exec "$SOURCE" test -f /etc/airflow/metastore-migration.json; then
    log "measuring a plain restart of the same Airflow services (restart -> healthy), for comparison"
    restart=$(plain_restart_seconds)
    log "plain restart: $restart s"
    # The online migration (its default) copies while Airflow runs: give it DAG runs to write meanwhile.
    log "triggering $DAG_RUNS more DAG runs that run during the online copy"
    for _ in $(seq "$DAG_RUNS"); do airflow_cli dags trigger metastore_demo >/dev/null; done
  fi
  log "migrating the metadata database to $TARGET through HAProxy (playbooks/migrate_metastore.yml)"
  ansible-playbook -i "$INVENTORY" playbooks/migrate_metastore.yml -e @"$SECRETS" | tee "$STATE_DIR/migrate.log"
  after=$(health_within 180)

  local ip
  ip=$(podman inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$SOURCE")
  print_summary "$((SECONDS - t0))" "$ip" "$before" "$after" "$restart"
  # The demo succeeds only when Airflow is healthy on the target afterwards.
  if ! healthy "$after"; then
    echo "[demo] Airflow is not healthy after the migration: $after" >&2
    return 1
  fi
}

# The health JSON once healthy, polled every 2 s for up to $1 s (hosts started again by this run boot
# Airflow first); the last answer when it never gets there.
health_within() {
  local answer deadline=$((SECONDS + $1))
  answer=$(health)
  while ! healthy "$answer" && ((SECONDS < deadline)); do
    sleep 2
    answer=$(health)
  done
  echo "$answer"
}

# Healthy: the metadata database and the scheduler both report "healthy" in the health endpoint's JSON.
healthy() {
  python3 -c 'import json, sys
health = json.loads(sys.argv[1])
sys.exit(0 if all(health.get(k, {}).get("status") == "healthy" for k in ("metadatabase", "scheduler")) else 1)' "$1" 2>/dev/null
}

print_summary() {
  local seconds=$1 ip=$2 before=$3 after=$4 restart=$5
  cat <<SUMMARY

================================================================================
 airflow_ops.metastore demo ($seconds s)
 Airflow UI / API   http://$ip:8080   (from this machine)
 admin login        admin, password: airflow_admin_password in $SECRETS
 health before      $before
 health after       $after
 $(tr -s ' \n' ' ' <"$STATE_DIR/migrate.log" | grep -oE "DOWNTIME WINDOW: [^'\"]*|Nothing to do: [^'\"]*" | head -1)
 plain restart      $restart s (the same services restarted until healthy, measured just before the migration)
 metadata database  $TARGET:5432 through $PREFIX-lb (HAProxy), was PostgreSQL on $SOURCE
 DAG runs on target $(podman exec "$TARGET" runuser -u postgres -- psql -At airflow -c 'SELECT count(*) FROM dag_run' 2>/dev/null || echo '?')
 passwords          $SECRETS (mode 0600)
 remove it all      podman rm -f ${HOSTS[*]} && podman network rm $NETWORK && rm -rf $STATE_DIR
================================================================================
SUMMARY
}

main "$@"

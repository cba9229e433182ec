#!/usr/bin/env bash
# Prepare this machine to run Molecule scenarios on podman with systemd as PID 1:
# install podman/runc/debootstrap if missing, write the podman settings measured in
# shared/REFERENCE.md, and build the Debian 12 test-host image (reused while its recipe is unchanged).
set -euo pipefail

IMAGE="${AIRFLOW_OPS_TEST_IMAGE:-localhost/airflow-ops-test:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The host's CA bundle is copied into the image so pip inside a test host can reach PyPI through
# this machine's TLS setup; roles point pip at it explicitly (airflow_pip_cert), as on real hosts.
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
PACKAGES="systemd,systemd-sysv,dbus,python3,python3-apt,ca-certificates,iproute2,procps,sudo,curl,gnupg"

log() { printf '[prepare-test-hosts] %s\n' "$*"; }

install_packages() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

configure_podman() {
  # crun fails here on cgroups (hybrid mode) and rootful rlimits cannot be raised in this sandbox.
  local conf=/etc/containers/containers.conf
  local wanted='# Written by airflow_ops.metastore scripts/prepare-test-hosts.sh
[containers]
default_ulimits = []

[engine]
runtime = "runc"
'
  if [[ ! -f $conf ]] || [[ "$(cat "$conf")"$'\n' != "$wanted" ]]; then
    log "writing $conf"
    mkdir -p /etc/containers
    printf '%s' "$wanted" >"$conf"
  fi
}

recipe_hash() {
  {
    echo "$PACKAGES" "$MIRROR"
    sed -n '/^build_image()/,/^}/p' "$0"
    [[ -f $HOST_CA_BUNDLE ]] && sha256sum <"$HOST_CA_BUNDLE"
  } | sha256sum | cut -c1-16
}

build_image() {
  local rootfs
  rootfs=$(mktemp -d /var/tmp/airflow-ops-rootfs.XXXXXX)
  log "debootstrap bookworm (this takes ~1 minute)"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$MIRROR" >/dev/null
  if [[ -f $HOST_CA_BUNDLE ]]; then
    install -D -m 0644 "$HOST_CA_BUNDLE" "$rootfs/usr/local/share/airflow-ops/ca-bundle.crt"
  fi
  # Units that make no sense in a container and slow its boot down.
  for unit in systemd-remount-fs.service getty.target console-getty.service; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  # Keep apt's package lists, as a real host has them: an empty lists folder with a fresh mtime makes
  # `apt: cache_valid_time` skip the update and then find no package.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import \
    --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
    --change "LABEL airflow_ops.recipe=$1" - "$IMAGE" >/dev/null 2>&1
  rm -rf "$rootfs"
  podman image prune -f >/dev/null  # the previous recipe's image, now untagged
}

main() {
  install_packages
  configure_podman
  # pip's cache for every test host (mounted at /root/.cache/pip by the demo and the Airflow scenarios).
  install -d -m 0700 /var/cache/airflow-ops/pip
  local want have
  want=$(recipe_hash)
  have=$(podman image inspect --format '{{ index .Config.Labels "airflow_ops.recipe" }}' "$IMAGE" 2>/dev/null || true)
  if [[ "$have" == "$want" ]]; then
    log "image $IMAGE is up to date (recipe $want)"
  else
    log "building $IMAGE (recipe $want, had '${have:-none}')"
    build_image "$want"
  fi
}

main "$@"

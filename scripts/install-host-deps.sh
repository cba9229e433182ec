#!/usr/bin/env bash
# Debian packages the tests need on this machine: a PostgreSQL server and client for the pytest
# integration tests (pg_dump/psql too), HAProxy for `haproxy -c` on rendered configs, and podman,
# runc and debootstrap for the Molecule test hosts. Idempotent: installs only what is missing.
# --no-install-recommends leaves podman's CNI network backend without a DNS plugin, and then containers on
# one podman network cannot resolve each other's names (haproxy -c: "could not resolve address"): the
# dnsname plugin is named explicitly. Networks created before it was installed stay without DNS; the demo
# and the test-host script recreate those.
set -euo pipefail
PACKAGES=(postgresql-15 postgresql-client-15 haproxy podman runc golang-github-containernetworking-plugin-dnsname
  debootstrap make git python3-venv rsync shellcheck curl pgcopydb)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "[install-host-deps] installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian package starts a cluster on 5432 where it can; the tests start their own on a free port.
echo "[install-host-deps] host packages present"

#!/bin/sh
# Installs k8ts as a systemd service (as k3s' install.sh):
#   sudo ./install.sh [server] [FLAGS]                              the first host
#   sudo ./install.sh agent --server https://IP:6443 --token TOKEN   each worker
# In the release it runs the Node.js the release carries, so the host needs none; from a
# checkout or the npm package (systemd/install.sh) it runs the host's node. The work is
# 'k8ts install' (cli/install/): one implementation for both routes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/dist/cli/main.js" ]; then root=$here; else root=$(cd "$here/.." && pwd); fi
if [ ! -f "$root/dist/cli/main.js" ]; then
  echo "[ERROR] install.sh: no k8ts beside it ($root/dist/cli/main.js): run the install.sh of an unpacked release" >&2
  exit 1
fi
if [ -x "$root/node" ]; then node=$root/node; else node=$(command -v node || true); fi
if [ -z "$node" ]; then
  echo "[ERROR] install.sh: no Node.js here: use the release tarball (k8ts-<version>-linux-x64.tar.gz), which carries its own" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "[ERROR] install.sh must run as root: sudo $0 $*" >&2
  exit 1
fi
case "${1:-}" in
  server|agent) role=$1; shift ;;
  *) role=server ;;
esac
exec "$node" "$root/dist/cli/main.js" install "$role" "$@"

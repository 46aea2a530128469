#!/bin/sh
# Stops k8ts and everything it runs on this host: the service, every pod, k8ts's containerd and
# its shims, and removes their cgroups (k8ts.slice), mounts, network namespaces, the pod bridge,
# the overlay, iptables chains and CNI state (as k3s-killall.sh). Images, volumes and the
# database stay: 'systemctl start k8ts' (or k8ts-agent) brings the node back.
set -u
[ "$(id -u)" = 0 ] || { echo "k8ts-killall.sh: run it as root (sudo)" >&2; exit 1; }
for unit in k8ts.service k8ts-agent.service; do
  systemctl stop "$unit" 2>/dev/null || true
done
rc=0
if [ -x /usr/local/bin/k8ts ]; then /usr/local/bin/k8ts killall "$@" || rc=$?; fi
# KillMode=process leaves the units' other processes (shims, a containerd) in their cgroups.
for cg in /sys/fs/cgroup/system.slice/k8ts.service /sys/fs/cgroup/system.slice/k8ts-agent.service; do
  [ -d "$cg" ] || continue
  if [ -e "$cg/cgroup.kill" ]; then echo 1 >"$cg/cgroup.kill"; else xargs -r kill -9 <"$cg/cgroup.procs"; fi
done
# Pods' cgroups under the systemd driver are units below k8ts.slice: stopping it removes them.
systemctl stop k8ts.slice 2>/dev/null || true
exit $rc

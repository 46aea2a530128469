#!/bin/sh
# Removes k8ts from this host: stops everything (k8ts-killall.sh), then removes the units, the
# installed package and commands, /etc/k8ts, /var/lib/k8ts (database, certificates, images) and
# what the node left in shared places (its CNI config, pod logs). Leaves no unit, slice, mount,
# iptables chain, interface or process behind. Distribution packages (containerd, ...) stay.
set -u
[ "$(id -u)" = 0 ] || { echo "k8ts-uninstall.sh: run it as root (sudo)" >&2; exit 1; }
/usr/local/bin/k8ts-killall.sh || echo "k8ts-uninstall.sh: killall reported a problem; removing anyway" >&2
for unit in k8ts.service k8ts-agent.service; do
  systemctl disable "$unit" >/dev/null 2>&1 || true
  rm -f "/etc/systemd/system/$unit"
done
systemctl daemon-reload
systemctl reset-failed k8ts.service k8ts-agent.service >/dev/null 2>&1 || true
# Anything still mounted below the data or run dirs (a volume a killed pod held).
for dir in /var/lib/k8ts /run/k8ts; do
  grep -o " $dir[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
done
rm -rf /var/lib/k8ts /run/k8ts /etc/k8ts /usr/local/lib/k8ts /usr/local/lib/k8ts.new /usr/local/lib/k8ts.old
rm -f /etc/cni/net.d/*k8ts* /var/lib/cni/networks/k8ts* 2>/dev/null
rm -rf /var/log/pods /var/log/containers
rm -f /usr/local/bin/k8ts /usr/local/bin/k8ts-killall.sh
rm -f /usr/local/bin/k8ts-uninstall.sh
echo "k8ts is uninstalled"

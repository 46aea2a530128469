#!/bin/sh
# Builds the Debian 12 guest image the VM tests boot, from Debian's packages only (debootstrap),
# into <cache-dir>/<recipe-hash>/: base.qcow2, vmlinuz, initrd.img. The hash is this file's
# sha256, so a changed recipe builds a new image and an unchanged one is reused between CI runs.
# The debootstrap itself (minutes: the download and unpacking) is cached apart, keyed by its
# package list, so changing the configuration below costs only the configuration and mkfs.
# Needs root (debootstrap, chroot).
#
# The guest has everything install.sh needs preinstalled (containerd, runc, CNI plugins,
# iptables, conntrack, nfs-common): guests have no internet, so install.sh must call no apt there.
# Debian's nodejs (18) is in it for the npm route. (Not npm: its packages fail to configure under
# debootstrap, and the npm route is tested with the package already unpacked.)
set -eu

cache=${1:?usage: build-image.sh <cache-dir>}
mirror=${K8TS_VM_MIRROR:-http://deb.debian.org/debian}
recipe=$(sha256sum "$0" | cut -c1-16)
out="$cache/$recipe"
if [ -f "$out/base.qcow2" ]; then echo "$out"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"

packages=systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,iproute2,iputils-ping,procps,nfs-kernel-server,nfs-common,containerd,runc,containernetworking-plugins,iptables,conntrack,ca-certificates,nodejs,e2fsprogs,netbase,busybox-static
base="$cache/debootstrap-$(echo "bookworm $packages" | sha256sum | cut -c1-16).tar"
if [ ! -f "$base" ]; then
  # Two stages, so that the initrd is made once and small: only the modules the virtual hardware
  # needs (37 MB → a few MB, seconds of TCG boot; and MODULES=most takes minutes to build).
  debootstrap --foreign --variant=minbase --include="$packages" bookworm "$root" "$mirror" >&2
  mkdir -p "$root/etc/initramfs-tools"
  printf 'MODULES=list\nBUSYBOX=auto\nCOMPRESS=zstd\n' >"$root/etc/initramfs-tools/initramfs.conf"
  printf '%s\n' virtio_pci virtio_blk virtio_net ext4 crc32c_generic >"$root/etc/initramfs-tools/modules"
  chroot "$root" /debootstrap/debootstrap --second-stage >&2
  tar -C "$root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
else
  mkdir -p "$root" && tar -C "$root" -xf "$base"
fi

echo 'k8ts-vm' >"$root/etc/hostname"
printf '/dev/vda / ext4 rw,noatime 0 1\n' >"$root/etc/fstab"
chroot "$root" passwd -d root >/dev/null
# VM 1 exports plain /srv/nfs to the private network (for the storage tests), no fsid=0.
mkdir -p "$root/srv/nfs"
echo '/srv/nfs 10.77.0.0/24(rw,sync,no_subtree_check,no_root_squash)' >"$root/etc/exports"

# vm-boot: name, private-network address and default route from the kernel command line, and the
# host's 9p share. The default route points at an address nobody has: the guests have no
# internet, but k8ts (like k3s) takes the node IP from the default route's interface.
cat >"$root/usr/local/sbin/vm-boot" <<'SH'
#!/bin/sh
# The NIC's driver may still be loading this early.
for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
for kv in $(cat /proc/cmdline); do
  case "$kv" in vm.name=*) name=${kv#vm.name=} ;; vm.ip=*) ip=${kv#vm.ip=} ;; esac
done
hostname "$name"; echo "$name" >/etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$name" >/etc/hosts
ip link set lo up
ip link set eth0 up
ip addr add "$ip" dev eth0
ip route add default via 10.77.0.1 dev eth0 onlink
# The management NIC (user-mode, VM 1 only): the host's forwarded port reaches the API through it.
if ip link show eth1 >/dev/null 2>&1; then ip link set eth1 up; ip addr add 10.0.2.15/24 dev eth1; fi
mkdir -p /mnt/host
# The 9p transport may not have probed its device yet either ("9pnet_virtio: no channels
# available for device host0" was seen once under TCG): try again for up to 20 s.
for i in $(seq 100); do
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none host0 /mnt/host 2>/dev/null && break
  sleep 0.2
done
mountpoint -q /mnt/host
SH
# vm-inbox: runs the host's commands, files <id>.sh in /mnt/host/<name>/cmd, writing <id>.out
# and then <id>.rc (the host waits for .rc). No network needed. It waits with a fork-free read
# on a FIFO: a `sleep` every poll costs a fifth of a core under TCG.
cat >"$root/usr/local/sbin/vm-inbox" <<'SH'
#!/bin/bash
# Without the host's share no command can arrive: no boot marker then, so the host's wait for it
# fails at boot, not at its first command.
mountpoint -q /mnt/host || { echo "K8TS-VM-NO-SHARE name=$(hostname)" >/dev/ttyS0; exit 1; }
inbox=/mnt/host/$(hostname)/cmd
mkdir -p "$inbox"
mkfifo /run/vm-inbox.wait 2>/dev/null || true
exec 3<>/run/vm-inbox.wait
echo "K8TS-VM-BOOTED name=$(hostname) uptime=$(cut -d' ' -f1 /proc/uptime)" >/dev/ttyS0
while :; do
  for f in "$inbox"/*.sh; do
    [ -e "$f" ] || continue
    id=${f%.sh}
    mv "$f" "$id.run"
    ( cd /root && setsid bash "$id.run" >"$id.out" 2>&1 </dev/null; echo $? >"$id.rc.tmp"; mv "$id.rc.tmp" "$id.rc" ) &
  done
  read -t 0.3 -u 3 || true
done
SH
chmod 0755 "$root/usr/local/sbin/vm-boot" "$root/usr/local/sbin/vm-inbox"
cat >"$root/etc/systemd/system/vm-boot.service" <<'UNIT'
[Unit]
Description=k8ts VM: name, network, host share
DefaultDependencies=no
After=local-fs.target systemd-udev-settle.service
Before=network.target sysinit.target
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/vm-boot
[Install]
WantedBy=sysinit.target
UNIT
cat >"$root/etc/systemd/system/vm-inbox.service" <<'UNIT'
[Unit]
Description=k8ts VM: host command inbox
After=multi-user.target vm-boot.service
[Service]
ExecStart=/usr/local/sbin/vm-inbox
KillMode=process
[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable vm-boot.service vm-inbox.service >&2
# Fewer units, faster TCG boots. The distribution's containerd stays installed but off: k8ts runs
# its own.
chroot "$root" systemctl disable containerd.service >&2 || true
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
  systemd-timesyncd.service getty@tty1.service serial-getty@ttyS0.service; do
  chroot "$root" systemctl mask "$u" >&2 || true
done
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
cp "$root"/boot/vmlinuz-* "$work/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/initrd.img"

mkfs.ext4 -q -L root -d "$root" "$work/base.raw" 4G
qemu-img convert -O qcow2 "$work/base.raw" "$work/base.qcow2"
mkdir -p "$out"
mv "$work/base.qcow2" "$work/vmlinuz" "$work/initrd.img" "$out/"
echo "$out"

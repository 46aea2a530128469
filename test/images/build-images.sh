#!/bin/sh
# Builds k8ts's test images from Debian packages only (gcc + libc6-dev, busybox-static,
# umoci, skopeo), at test time, into <out-dir>:
#   oci/          OCI layout with tags "pause" and "busybox"
#   pause.tar     OCI archive named registry.k8s.io/pause:3.10
#   busybox.tar   OCI archive named docker.io/library/busybox:latest
# ctr takes image names from the archive's org.opencontainers.image.ref.name annotation,
# which `skopeo copy ... oci-archive:<file>:<name>` sets.
set -eu

out=${1:?usage: build-images.sh <out-dir>}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "$out/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
layout="$out/oci"
rm -rf "$layout" "$out/pause.tar" "$out/busybox.tar"

# umoci needs --rootless to unpack as a normal user.
rootless=""
[ "$(id -u)" = 0 ] || rootless="--rootless"

# skopeo refuses to copy without a signature policy; ours accepts local content only.
policy="$work/policy.json"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$policy"

busybox=/bin/busybox
if ! ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable'; then
	echo "build-images.sh: $busybox is not static; install busybox-static" >&2
	exit 1
fi

umoci init --layout "$layout"

# --- pause ---------------------------------------------------------------------------
gcc -Os -static -s -o "$work/pause" "$here/pause.c"
umoci new --image "$layout:pause"
umoci unpack $rootless --image "$layout:pause" "$work/pause-bundle"
install -m 0755 "$work/pause" "$work/pause-bundle/rootfs/pause"
umoci repack --image "$layout:pause" "$work/pause-bundle"
umoci config --image "$layout:pause" --config.entrypoint /pause --config.user 65535:65535

# --- busybox -------------------------------------------------------------------------
umoci new --image "$layout:busybox"
umoci unpack $rootless --image "$layout:busybox" "$work/bb-bundle"
rootfs="$work/bb-bundle/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/root" "$rootfs/tmp" "$rootfs/var/www" "$rootfs/home"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
# One absolute symlink per applet at the path busybox itself reports (bin/sh, usr/bin/wget, ...).
"$busybox" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$rootfs/$(dirname "$applet")"
	ln -sf /bin/busybox "$rootfs/$applet"
done
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
www-data:x:33:
nogroup:x:65534:
GROUP
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"
echo 'hello from k8ts busybox' >"$rootfs/var/www/index.html"
umoci repack --image "$layout:busybox" "$work/bb-bundle"
umoci config --image "$layout:busybox" --config.cmd sh \
	--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umoci gc --layout "$layout"

# --- archives ------------------------------------------------------------------------
skopeo --policy "$policy" copy --quiet "oci:$layout:pause" "oci-archive:$out/pause.tar:registry.k8s.io/pause:3.10"
skopeo --policy "$policy" copy --quiet "oci:$layout:busybox" "oci-archive:$out/busybox.tar:docker.io/library/busybox:latest"
echo "built $out/pause.tar $out/busybox.tar and layout $layout"

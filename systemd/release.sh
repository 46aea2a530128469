#!/bin/sh
# npm run release: release/k8ts-<version>-linux-<arch>.tar.gz, one directory k8ts-<version>/ with
# install.sh at its top, that installs and runs with nothing fetched:
#   node            the Node.js that built it (glibc x86-64; no distribution Node needed)
#   dist/, proto/   the built code (no tests) and package.json
#   node_modules/   production dependencies only
#   systemd/        unit files, install/killall/uninstall scripts
#   images/pause.tar  the sandbox image as an OCI archive, imported at the agent's start, so pods
#                   start without a registry (test/images/build-images.sh builds it from Debian
#                   packages: gcc, umoci, skopeo)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
node=$(node -p process.execPath)
version=$("$node" -p "require('./package.json').version")
arch=$("$node" -p process.arch)
name=k8ts-$version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/$name
mkdir -p "$stage/images" release

cp -r package.json package-lock.json dist proto systemd docs "$stage/"
rm -rf "$stage/dist/test" "$stage/dist/bench"
find "$stage/dist" \( -name '*.test.js' -o -name '*.test.js.map' \) -delete
cp -r node_modules "$stage/"
(cd "$stage" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
# What Node never loads: TypeScript sources and declarations, source maps, docs, and native
# prebuilds for other platforms (about half of node_modules).
find "$stage/node_modules" -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) -delete
find "$stage/node_modules" -path '*/prebuilds/*' -prune -type d ! -name "linux-$arch" -exec rm -rf {} +
cp "$node" "$stage/node"
cp systemd/install.sh "$stage/install.sh"
sh test/images/build-images.sh "$work/images" >/dev/null
cp "$work/images/pause.tar" "$stage/images/pause.tar"

out=release/$name-linux-$arch.tar.gz
tar -C "$work" -czf "$out" "$name"
echo "$out $(du -h "$out" | cut -f1) (unpacked $(du -sh "$stage" | cut -f1))"

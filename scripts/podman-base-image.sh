#!/usr/bin/env bash
# Makes a stand-in for node:20-slim in Podman's image store, for machines that reach
# Debian's mirror and the npm registry but no container registry. The Dockerfile's
# `FROM node:20-slim` then resolves locally, unchanged:
#   a Debian bookworm minbase (what node:20-slim is built on) from the mirror apt uses here,
#   Node 20 from the npm registry's node-linux-<arch> package, npm 10,
#   a `node` user with uid/gid 1000 (the Dockerfile's `USER node`),
#   and this machine's CA bundle, so that `npm ci` in a build trusts what the host trusts.
# Podman's configuration comes from the caller's environment (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF). Needs root (debootstrap), debootstrap and podman.
#
# Usage: scripts/podman-base-image.sh [IMAGE]   (default docker.io/library/node:20-slim)
# DEBIAN_MIRROR overrides the mirror found in apt's sources.
set -euo pipefail

image="${1:-docker.io/library/node:20-slim}"
suite=bookworm

work="$(mktemp -d "${TMPDIR:-/tmp}/podman-base-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The first Debian archive apt is configured with (a suite without -security/-updates).
# apt reads only *.list and *.sources files, in both formats; so does this.
debian_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" {
           i = 2
           if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
           if ($(i + 1) !~ /-/) { print $i; exit }
         }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         {
           types = ""; uris = ""; suites = ""; enabled = "yes"
           for (j = 1; j <= NF; j++) {
             if ($j ~ /^#/) continue
             split($j, kv, /:[ \t]*/)
             key = tolower(kv[1]); value = substr($j, index($j, ":") + 1)
             if (key == "types") types = value
             else if (key == "uris") uris = value
             else if (key == "suites") suites = value
             else if (key == "enabled") enabled = value
           }
           if (enabled ~ /no/ || types !~ /(^|[ \t])deb([ \t]|$)/) next
           n = split(suites, s, /[ \t]+/)
           for (k = 1; k <= n; k++)
             if (s[k] != "" && s[k] !~ /-/) { split(uris, u, /[ \t]+/); print (u[1] != "" ? u[1] : u[2]); exit }
         }' "$f"
  done
}

mirror="${DEBIAN_MIRROR:-$(debian_mirror | head -n 1)}"
if [ -z "$mirror" ]; then
  echo "no Debian mirror in apt's sources; set DEBIAN_MIRROR" >&2
  exit 1
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac

# The CA bundle Node on this machine is told to trust, else the system's.
ca="${NODE_EXTRA_CA_CERTS:-}"
[ -n "$ca" ] || ca="$(npm config get cafile 2>/dev/null || true)"
[ -n "$ca" ] && [ "$ca" != null ] || ca="${SSL_CERT_FILE:-}"
[ -n "$ca" ] || ca=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca" ] || { echo "CA bundle $ca not found" >&2; exit 1; }

rootfs="$work/rootfs"
echo "debootstrap $suite from $mirror" >&2
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}
# What node:20-slim leaves out too; smaller layers are faster under the vfs driver.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*

# The engines field of package.json asks for 20.19 or later.
(cd "$work" && npm pack --silent "node-linux-${arch}@^20.19" "npm@10" >/dev/null)
mkdir -p "$work/node" "$work/npm" "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules"
tar -xzf "$work"/node-linux-"${arch}"-*.tgz -C "$work/node"
tar -xzf "$work"/npm-*.tgz -C "$work/npm"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
mv "$work/npm/package" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
node_version="$("$rootfs/usr/local/bin/node" --version)"

echo 'node:x:1000:' >>"$rootfs/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$rootfs/etc/passwd"
echo 'node:*:19000:0:99999:7:::' >>"$rootfs/etc/shadow"
mkdir -p "$rootfs/home/node"
chown 1000:1000 "$rootfs/home/node"

mkdir -p "$rootfs/etc/ssl/certs"
cp "$ca" "$rootfs/etc/ssl/certs/ca-certificates.crt"

tar --numeric-owner -C "$rootfs" -cf "$work/rootfs.tar" .
podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  "$work/rootfs.tar" "$image" >/dev/null
echo "made $image: Debian $suite, Node $node_version" >&2

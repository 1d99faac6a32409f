#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Install QEMU 10 (qemu-system-aarch64) from Debian bookworm-backports. Idempotent: does
# nothing when a qemu-system-aarch64 of major version >= 10 is already on PATH.
#
#   boards/qemu_virt_baremetal/install-qemu.sh
#   VBE_DEBIAN_MIRROR=<archive URI> ...   # if the mirror cannot be read from apt's sources
#
# The backports entry reuses the archive URI the machine's apt sources already name, so
# this script carries no host name of its own. Without recommends there is no ipxe ROM:
# run -M virt with -nic none.
set -euo pipefail

want_major=10
list=/etc/apt/sources.list.d/vbe-bookworm-backports.sources

qemu_major() {
	local v
	v=$(qemu-system-aarch64 --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -n1)
	echo "${v:-0}"
}

if [ "$(qemu_major)" -ge "$want_major" ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "install-qemu: need root (or sudo)" >&2; exit 1; }
	sudo=sudo
fi

# The Debian archive URI: from the environment, else from the first deb822 stanza (or
# one-line entry) whose suites include plain "bookworm".
mirror_uri() {
	if [ -n "${VBE_DEBIAN_MIRROR:-}" ]; then
		echo "$VBE_DEBIAN_MIRROR"
		return
	fi
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
			END { if (uri != "" && ok) print uri }
		' "$f" | head -n1
	done | head -n1
	if [ -f /etc/apt/sources.list ]; then
		# one-line entries, their [option=value ...] dropped
		sed -E 's/\[[^]]*\]//' /etc/apt/sources.list |
			awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
	fi
}

if [ ! -f "$list" ]; then
	uri=$(mirror_uri | head -n1)
	if [ -z "$uri" ]; then
		echo "install-qemu: no bookworm entry in apt's sources; set VBE_DEBIAN_MIRROR" >&2
		exit 1
	fi
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
		"$uri" /usr/share/keyrings/debian-archive-keyring.gpg | $sudo tee "$list" >/dev/null
	echo "install-qemu: added $list ($uri)"
fi

apt="$sudo apt-get -o DPkg::Lock::Timeout=300"
$apt update -qq
DEBIAN_FRONTEND=noninteractive $apt install -y -qq --no-install-recommends \
	-t bookworm-backports qemu-system-arm >/dev/null

if [ "$(qemu_major)" -lt "$want_major" ]; then
	echo "install-qemu: qemu-system-aarch64 is still older than $want_major" >&2
	exit 1
fi
qemu-system-aarch64 --version | head -n1

#!/usr/bin/env bash
# Installs what `make test` needs on a fresh Debian machine: Go modules and,
# from Debian, the tools the tests drive (iproute2, tcpdump, tshark) and real
# Open vSwitch 3.1, which the interop tests use as a reference and a client.
set -euo pipefail

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v tshark >/dev/null || need+=(tshark)
command -v ovs-vswitchd >/dev/null || need+=(openvswitch-switch)
command -v ovs-ofctl >/dev/null || need+=(openvswitch-common)
command -v ethtool >/dev/null || need+=(ethtool)

if ((${#need[@]})); then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: need root to install: ${need[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	# The package's init scripts may start OVS daemons; the tests run
	# their own in private directories.
	if command -v ovs-ctl >/dev/null; then
		/usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null 2>&1 || true
	fi
fi
go mod download

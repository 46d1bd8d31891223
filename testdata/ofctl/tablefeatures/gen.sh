#!/usr/bin/env bash
# Regenerate ovs.txt: real Open vSwitch 3.1's table features replies
# (userspace datapath, bridge br0) in OpenFlow 1.3, 1.4 and 1.5, captured
# by TestCaptureOVSTableFeatures in ofproto/connmgr.
#
# Usage (as root, needs `ip netns` and go):   bash testdata/ofctl/tablefeatures/gen.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v go >/dev/null || { echo "gen.sh: go not found" >&2; exit 1; }
. "$HERE/../realovs.sh"
start_real_ovs tblfeat

cd "$HERE/../../../ofproto/connmgr"
GOVS_CAPTURE_TABLE_FEATURES=$D/br0.mgmt go test -count=1 -run '^TestCaptureOVSTableFeatures$' .
echo "gen.sh: wrote $HERE/ovs.txt"

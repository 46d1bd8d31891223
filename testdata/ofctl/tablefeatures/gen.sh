#!/usr/bin/env bash
# Regenerate ovs.txt: real Open vSwitch 3.1's table features replies
# (userspace datapath, bridge br0) in OpenFlow 1.3, 1.4 and 1.5, captured
# by TestCaptureOVSTableFeatures in ofproto/connmgr.
#
# Usage (as root, needs `ip netns` and go):   bash testdata/ofctl/tablefeatures/gen.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for b in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ip go; do
    command -v "$b" >/dev/null || { echo "gen.sh: $b not found" >&2; exit 1; }
done

D=$(mktemp -d /tmp/govs-tablefeatures.XXXXXX)
NS=govstblfeat$$
cleanup() {
    for p in ovs-vswitchd ovsdb-server; do
        [ -f "$D/$p.pid" ] && kill "$(cat "$D/$p.pid")" 2>/dev/null || true
    done
    sleep 0.3
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$D"
}
trap cleanup EXIT
export OVS_RUNDIR=$D OVS_DBDIR=$D OVS_LOGDIR=$D
ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ip netns add "$NS"
ip netns exec "$NS" ovsdb-server "$D/conf.db" --remote=punix:"$D/db.sock" --pidfile --detach --log-file
ovs-vsctl --db=unix:"$D/db.sock" --no-wait init
ip netns exec "$NS" ovs-vswitchd unix:"$D/db.sock" --pidfile --detach --log-file
ovs-vsctl --db=unix:"$D/db.sock" --timeout=10 add-br br0 -- set bridge br0 datapath_type=netdev

cd "$HERE/../../../ofproto/connmgr"
GOVS_CAPTURE_TABLE_FEATURES=$D/br0.mgmt go test -count=1 -run '^TestCaptureOVSTableFeatures$' .
echo "gen.sh: wrote $HERE/ovs.txt"

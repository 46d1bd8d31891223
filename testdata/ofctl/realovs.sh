# Sourced by the gen.sh scripts below testdata/ofctl: start_real_ovs NAME
# starts a real Open vSwitch 3.1 (ovsdb-server and ovs-vswitchd, the
# vswitchd in a private network namespace) in a private run directory $D,
# with bridge br0 on the userspace datapath, exports OVS_RUNDIR/DBDIR/
# LOGDIR to it, and stops and removes everything on exit.

start_real_ovs() {
    local name=$1 b
    for b in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ip; do
        command -v "$b" >/dev/null || { echo "gen.sh: $b not found" >&2; exit 1; }
    done
    D=$(mktemp -d "/tmp/govs-$name.XXXXXX")
    NS=govs$name$$
    trap stop_real_ovs EXIT
    export OVS_RUNDIR=$D OVS_DBDIR=$D OVS_LOGDIR=$D
    ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema
    ip netns add "$NS"
    ip netns exec "$NS" ovsdb-server "$D/conf.db" --remote=punix:"$D/db.sock" --pidfile --detach --log-file
    ovs-vsctl --db=unix:"$D/db.sock" --no-wait init
    ip netns exec "$NS" ovs-vswitchd unix:"$D/db.sock" --pidfile --detach --log-file
    ovs-vsctl --db=unix:"$D/db.sock" --timeout=10 add-br br0 -- set bridge br0 datapath_type=netdev
}

stop_real_ovs() {
    local p
    for p in ovs-vswitchd ovsdb-server; do
        [ -f "$D/$p.pid" ] && kill "$(cat "$D/$p.pid")" 2>/dev/null || true
    done
    sleep 0.3
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$D"
}

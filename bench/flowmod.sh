#!/usr/bin/env bash
# flow_mod throughput: the same `ovs-ofctl add-flows` of N flows (default
# 100 000) over one OpenFlow connection, against govs' ovs-vswitchd and
# against real Open vSwitch 3.1 (userspace datapath), in one run. The
# client is Debian's ovs-ofctl for both, so only the switch differs.
# Needs root (OVS runs in a private network namespace) and openvswitch.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUN="gb$$"
BASE="$(mktemp -d "/tmp/govs-bench-$RUN.XXXX")"
NS="${RUN}-ovs"
GOVS="$PWD/bin/govs"

cleanup() {
	set +e
	for pid in "$BASE"/*/*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$BASE"
}
trap cleanup EXIT

go build -o "$GOVS" ./cmd/govs

# N flows that land in distinct classifier entries across a few masks.
python3 - "$N" > "$BASE/flows.txt" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    a, b, c = (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff
    m = i % 4
    if m == 0:
        print(f"priority={100 + i % 1000},ip,nw_dst=10.{a}.{b}.{c},actions=output:1")
    elif m == 1:
        print(f"priority={100 + i % 1000},tcp,nw_src=172.{a}.{b}.{c},tp_dst={1 + i % 60000},actions=drop")
    elif m == 2:
        print(f"priority={100 + i % 1000},in_port=1,dl_src=02:00:00:{a:02x}:{b:02x}:{c:02x},actions=NORMAL")
    else:
        print(f"table=1,priority={100 + i % 1000},reg0={i},actions=resubmit(,2)")
PY

# timed DIR: seconds taken by add-flows into br0 under DIR.
timed() {
	local dir=$1 start end
	start=$(date +%s.%N)
	OVS_RUNDIR="$dir" ovs-ofctl add-flows br0 "$BASE/flows.txt"
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}

count() { OVS_RUNDIR="$1" ovs-ofctl dump-aggregate br0 | sed 's/.*flow_count=//'; }

# govs: ovs-vswitchd with its embedded database.
G="$BASE/govs"; mkdir -p "$G"
OVS_RUNDIR="$G" OVS_DBDIR="$G" OVS_LOGDIR="$G" "$GOVS" ovs-vswitchd --pidfile --detach --log-file
OVS_RUNDIR="$G" "$GOVS" ovs-vsctl --timeout=10 add-br br0
govs_s=$(timed "$G")
govs_n=$(count "$G")

# Real OVS 3.1, userspace datapath, in a namespace of its own.
O="$BASE/ovs"; mkdir -p "$O"
export OVS_RUNDIR="$O" OVS_DBDIR="$O" OVS_LOGDIR="$O"
ovsdb-tool create "$O/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$O/conf.db" --remote="punix:$O/db.sock" --pidfile --detach --log-file
ovs-vsctl --no-wait init
ip netns add "$NS"
ip netns exec "$NS" ovs-vswitchd "unix:$O/db.sock" --pidfile --detach --log-file
ovs-vsctl --timeout=10 add-br br0 -- set bridge br0 datapath_type=netdev
ovs_s=$(timed "$O")
ovs_n=$(count "$O")

printf '%-28s %10s %10s %12s\n' "switch" "flows" "seconds" "flow_mods/s"
printf '%-28s %10s %10.2f %12.0f\n' "govs ovs-vswitchd" "$govs_n" "$govs_s" "$(echo "$N / $govs_s" | bc -l)"
printf '%-28s %10s %10.2f %12.0f\n' "Open vSwitch 3.1 (netdev)" "$ovs_n" "$ovs_s" "$(echo "$N / $ovs_s" | bc -l)"

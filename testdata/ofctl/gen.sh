#!/usr/bin/env bash
# Regenerate the ovs-ofctl golden files in this directory from flows.txt and
# errors.txt using a REAL Open vSwitch (tested with 3.1.0 from Debian/Ubuntu
# packages openvswitch-switch + openvswitch-common).
#
# Usage (as root, needs `ip netns`):   bash testdata/ofctl/gen.sh
#
# It starts a private ovsdb-server + ovs-vswitchd (userspace/netdev datapath,
# vswitchd inside its own network namespace) in a temporary directory, creates
# bridge br0 with ports veth11=1, veth22=2, veth21=3, p4=4, and tears
# everything down again on exit (also on failure).
#
# Outputs (overwritten):
#   flows.golden        one record per flows.txt line, default protocol
#                       (OpenFlow10+NXM), falling back to -O OpenFlow15
#   flows-of15.golden   one record per flows.txt line, always -O OpenFlow15
#   errors.golden       one record per errors.txt line (exit status + stderr),
#                       default protocol
#   errors-of15.golden  the same inputs tried with -O OpenFlow15 (some of them
#                       are accepted there; then the dump is recorded)
#   dump-flows-full.txt full dump-flows output for the seed-tutorial session
#                       (durations/idle_age vary from run to run)
#   versions.txt        the OVS version used
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema

for b in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ip; do
    command -v "$b" >/dev/null || { echo "gen.sh: $b not found" >&2; exit 1; }
done
[ -r "$SCHEMA" ] || { echo "gen.sh: $SCHEMA missing" >&2; exit 1; }

D=$(mktemp -d /tmp/govs-golden-XXXXXX)
NS=govsgold$$
export OVS_RUNDIR=$D OVS_DBDIR=$D OVS_LOGDIR=$D
NS_CREATED=0

stop_pid() {            # stop_pid PIDFILE
    local pf=$1 pid
    [ -s "$pf" ] || return 0
    pid=$(cat "$pf")
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    stop_pid "$D/ovs-vswitchd.pid"
    stop_pid "$D/ovsdb-server.pid"
    [ "$NS_CREATED" = 1 ] && ip netns del "$NS" 2>/dev/null
    rm -rf "$D"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

VSCTL=(ovs-vsctl --db="unix:$D/db.sock" --timeout=30)

ovsdb-tool create "$D/conf.db" "$SCHEMA"
ovsdb-server "$D/conf.db" --remote="punix:$D/db.sock" --pidfile --detach \
    --log-file 2>/dev/null
"${VSCTL[@]}" --no-wait init
ip netns add "$NS"
NS_CREATED=1
ip netns exec "$NS" ovs-vswitchd "unix:$D/db.sock" --pidfile --detach \
    --log-file 2>/dev/null

make_bridge() {
    # separate transactions, so that vswitchd really destroys the old bridge
    # (and the fresh one gets the default priority=0,actions=NORMAL flow)
    "${VSCTL[@]}" --if-exists del-br br0
    "${VSCTL[@]}" add-br br0 \
        -- set bridge br0 datapath_type=netdev \
           protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15 \
        -- add-port br0 veth11 -- set interface veth11 type=internal ofport_request=1 \
        -- add-port br0 veth22 -- set interface veth22 type=internal ofport_request=2 \
        -- add-port br0 veth21 -- set interface veth21 type=internal ofport_request=3 \
        -- add-port br0 p4 -- set interface p4 type=internal ofport_request=4
    # wait until all four ports have their requested numbers
    for _ in $(seq 100); do
        if [ "$(ovs-ofctl show br0 2>/dev/null | grep -cE '^ [1-4]\((veth11|veth22|veth21|p4)\)')" = 4 ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "gen.sh: ports did not come up" >&2
    ovs-ofctl show br0 >&2 || true
    return 1
}

ovs-vswitchd --version | head -1 > "$D/versions.txt"
ovs-ofctl --version | head -1 >> "$D/versions.txt"

# ---------------------------------------------------------------------------
# 1. Seed tutorial session with full default dump-flows output.
# ---------------------------------------------------------------------------
{
    for proto in default OpenFlow13; do
        make_bridge
        if [ "$proto" = default ]; then P=(); else P=(-O "$proto"); fi
        echo "### protocol: $proto"
        echo
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }dump-flows br0        # fresh bridge"
        ovs-ofctl "${P[@]}" dump-flows br0
        echo
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }add-flow br0 \"priority=2,in_port=veth11,actions=drop\""
        ovs-ofctl "${P[@]}" add-flow br0 "priority=2,in_port=veth11,actions=drop"
        sleep 1.1
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }dump-flows br0"
        ovs-ofctl "${P[@]}" dump-flows br0
        echo
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }--names dump-flows br0"
        ovs-ofctl "${P[@]}" --names dump-flows br0
        echo
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }dump-flows br0 --no-stats"
        ovs-ofctl "${P[@]}" dump-flows br0 --no-stats
        echo
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }del-flows br0 \"in_port=veth11\""
        ovs-ofctl "${P[@]}" del-flows br0 "in_port=veth11"
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }dump-flows br0"
        ovs-ofctl "${P[@]}" dump-flows br0
        echo
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }del-flows br0"
        ovs-ofctl "${P[@]}" del-flows br0
        echo "\$ ovs-ofctl ${P[*]:+${P[*]} }dump-flows br0        # empty table"
        ovs-ofctl "${P[@]}" dump-flows br0
        echo
    done
} > "$D/dump-flows-full.txt"

# ---------------------------------------------------------------------------
# 2. Fixed bridge state used by all flows: groups, meter, TLV map.
# ---------------------------------------------------------------------------
make_bridge
ovs-ofctl add-tlv-map br0 \
    "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0xffff,type=1,len=8}->tun_metadata1,{class=0x0102,type=0x80,len=16}->tun_metadata2"
ovs-ofctl -O OpenFlow13 add-group br0 "group_id=1,type=all,bucket=output:1,bucket=output:2"
ovs-ofctl -O OpenFlow13 add-group br0 "group_id=2,type=select,bucket=weight:100,output:1,bucket=weight:50,output:2"
ovs-ofctl -O OpenFlow13 add-group br0 "group_id=3,type=indirect,bucket=output:3"
ovs-ofctl -O OpenFlow13 add-group br0 "group_id=4,type=ff,bucket=watch_port:1,output:1,bucket=watch_port:2,output:2"
ovs-ofctl -O OpenFlow13 add-meter br0 "meter=1,kbps,band=type=drop,rate=1000"

# Read non-comment, non-blank lines of a file.
read_inputs() { grep -vE '^[[:space:]]*(#|$)' "$1" || true; }

# dump PROTO-ARGS... : print flow lines without reply headers, one per line,
# with the single leading space removed.
dump() {
    ovs-ofctl "$@" dump-flows br0 --no-stats 2>/dev/null \
        | sed -E '/^[A-Z0-9_]+ reply/d; s/^ //'
}

# try_add RECORD-FILE PROTO-NAME PROTO-ARGS... -- FLOW
# Adds FLOW alone; on success writes out/names lines and returns 0, on failure
# leaves stderr in $D/err and exit code in $ADD_RC and returns 1.
try_add() {
    local flow=${!#}
    local args=("${@:1:$#-1}")
    ovs-ofctl "${args[@]}" del-flows br0
    set +e
    ovs-ofctl "${args[@]}" add-flow br0 "$flow" 2>"$D/err"
    ADD_RC=$?
    set -e
    # log lines carry a wall-clock timestamp; make them reproducible
    sed -i -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\|/TIMESTAMP|/' "$D/err"
    return $((ADD_RC != 0))
}

emit_dump() {   # emit_dump PROTO-ARGS...
    local line
    if [ -s "$D/err" ]; then
        while IFS= read -r line; do printf 'warn %s\n' "$line"; done < "$D/err"
    fi
    dump "$@" > "$D/out"
    dump "$@" --names > "$D/names"
    while IFS= read -r line; do printf 'out %s\n' "$line"; done < "$D/out"
    while IFS= read -r line; do printf 'names %s\n' "$line"; done < "$D/names"
}

emit_err() {
    local line
    printf 'exit %d\n' "$ADD_RC"
    while IFS= read -r line; do printf 'err %s\n' "$line"; done < "$D/err"
}

# ---------------------------------------------------------------------------
# 3. Valid flows.
# ---------------------------------------------------------------------------
nvalid=0; nfallback=0; bad=0
: > "$D/flows.golden"; : > "$D/flows-of15.golden"
while IFS= read -r flow; do
    nvalid=$((nvalid + 1))
    {
        printf 'in %s\n' "$flow"
        if try_add "$flow"; then
            printf 'proto OpenFlow10\n'
            emit_dump
        elif cp "$D/err" "$D/err0" && DEF_RC=$ADD_RC &&
             try_add -O OpenFlow15 "$flow"; then
            nfallback=$((nfallback + 1))
            printf 'proto OpenFlow15\n'
            emit_dump -O OpenFlow15
        else
            echo "gen.sh: flows.txt line rejected by OVS: $flow" >&2
            cp "$D/err0" "$D/err"; ADD_RC=$DEF_RC
            sed 's/^/gen.sh:   /' "$D/err" >&2
            bad=$((bad + 1))
            printf 'proto none\n'
            emit_err
        fi
        printf '\n'
    } >> "$D/flows.golden"
    {
        printf 'in %s\n' "$flow"
        printf 'proto OpenFlow15\n'
        if try_add -O OpenFlow15 "$flow"; then
            emit_dump -O OpenFlow15
        else
            emit_err
        fi
        printf '\n'
    } >> "$D/flows-of15.golden"
done < <(read_inputs "$HERE/flows.txt")

# ---------------------------------------------------------------------------
# 4. Invalid flows.
# ---------------------------------------------------------------------------
nerr=0; unexpected=0
: > "$D/errors.golden"; : > "$D/errors-of15.golden"
while IFS= read -r flow; do
    nerr=$((nerr + 1))
    {
        printf 'in %s\n' "$flow"
        if try_add "$flow"; then
            echo "gen.sh: errors.txt line accepted by OVS: $flow" >&2
            unexpected=$((unexpected + 1))
        fi
        emit_err
        printf '\n'
    } >> "$D/errors.golden"
    {
        printf 'in %s\n' "$flow"
        printf 'proto OpenFlow15\n'
        if try_add -O OpenFlow15 "$flow"; then
            emit_dump -O OpenFlow15
        else
            emit_err
        fi
        printf '\n'
    } >> "$D/errors-of15.golden"
done < <(read_inputs "$HERE/errors.txt")

# only a complete run replaces the files in the repository
cp "$D/flows.golden" "$D/flows-of15.golden" "$D/errors.golden" \
   "$D/errors-of15.golden" "$D/dump-flows-full.txt" "$D/versions.txt" "$HERE/"

echo "gen.sh: $nvalid valid flows ($nfallback needed OpenFlow15), $nerr error flows" >&2
if [ "$bad" -ne 0 ] || [ "$unexpected" -ne 0 ]; then
    echo "gen.sh: $bad valid flows rejected, $unexpected error flows accepted" >&2
    exit 1
fi

#!/usr/bin/env bash
# Regenerate commands.golden from commands.txt with a REAL ovs-ofctl (3.1).
#
# Each line of commands.txt is "COMMAND|FLOW", COMMAND one of add-flow,
# mod-flows, "--strict mod-flows", del-flows, "--strict del-flows". ovs-ofctl
# parses the flow before it connects, so no switch is needed: it is given a
# bridge that does not exist, and "... is not a bridge or a socket" means
# the flow parsed (recorded as OK); anything else is its error message.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$(mktemp -d /tmp/govs-cmdgold-XXXXXX)
trap 'rm -rf "$RUN"' EXIT
export OVS_RUNDIR=$RUN
BR=govs-no-such-bridge
out=$HERE/commands.golden
: > "$out"
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    cmd=${line%%|*} flow=${line#*|}
    # shellcheck disable=SC2086 # COMMAND may carry --strict
    r=$(ovs-ofctl --no-names $cmd $BR "$flow" 2>&1 | tail -1 | sed 's/^ovs-ofctl: //') || true
    [ "$r" = "$BR is not a bridge or a socket" ] && r=OK
    printf '%s => %s\n' "$line" "$r" >> "$out"
done < "$HERE/commands.txt"
echo "gen-commands.sh: $(wc -l < "$out") records"

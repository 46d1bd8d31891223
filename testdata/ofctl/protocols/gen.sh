#!/usr/bin/env bash
# Regenerate golden.txt: what the real ovs-ofctl prints for every line of
# cmds.txt, in every OpenFlow version, against a real Open vSwitch 3.1
# (userspace datapath, bridge br0 with no ports but its own).
#
# Usage (as root, needs `ip netns`):   bash testdata/ofctl/protocols/gen.sh
#
# Lines whose last argument is "-" read flows.in. Output records:
#   cmd ARGS   (fields joined by "|", as in cmds.txt, @P@ replaced)
#   rc N
#   out LINE   (standard output and error, merged)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../realovs.sh"
start_real_ovs proto

run() { # run ARGS-LINE
    local line=$1 rc=0 out
    IFS='|' read -r -a args <<<"$line"
    if [ "${args[-1]}" = - ]; then
        out=$(ovs-ofctl "${args[@]}" <"$HERE/flows.in" 2>&1) || rc=$?
    else
        out=$(ovs-ofctl "${args[@]}" </dev/null 2>&1) || rc=$?
    fi
    echo "cmd $line"
    echo "rc $rc"
    [ -n "$out" ] && sed 's/^/out /' <<<"$out"
    return 0
}

{
    once=false
    for v in 10 11 12 13 14 15; do
        while IFS= read -r line; do
            [ "$line" = "# once" ] && break
            case $line in '#'*|'') continue ;; esac
            run "${line//@P@/OpenFlow$v}"
        done <"$HERE/cmds.txt"
    done
    while IFS= read -r line; do
        if [ "$line" = "# once" ]; then once=true; continue; fi
        $once || continue
        run "$line"
    done <"$HERE/cmds.txt"
} >"$HERE/golden.txt"
echo "gen.sh: wrote $HERE/golden.txt"

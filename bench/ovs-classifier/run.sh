#!/bin/bash
# run.sh measures Open vSwitch 3.1's own classifier next to govs's on the
# same rules and keys, and regenerates the megaflow masks that
# TestClassifierMegaflowsMatchOVS checks govs's against.
#
# It builds OVS from Debian's openvswitch-source package once, into the
# work directory (about 15 minutes on 2 cores; later runs reuse it), links
# clsbench.c against its lib/libopenvswitch.a, and has govs's
# TestWriteOVSRefRules write each case's rules and keys.
#
# usage: bench/ovs-classifier/run.sh [-w workdir] masks
#          rewrite testdata/megaflow/ from OVS
#        bench/ovs-classifier/run.sh [-w workdir] [-r rounds] time [RULES/MASKS/PRIO ...]
#          alternate govs's BenchmarkClassifierLookup case and OVS on it,
#          printing min/median/max ns per lookup (default case 10000/20/mask)
#        bench/ovs-classifier/run.sh [-w workdir] [-r rounds] insert
#          alternate govs's BenchmarkClassifierInsert and OVS inserting the
#          same kind of rules (100 000 over 20 masks, random priorities, into
#          an empty classifier), printing min/median/max inserts per second
set -euo pipefail

work=${TMPDIR:-/tmp}/govs-ovs-classifier rounds=5
usage() {
	sed -n '/^# usage:/,/^[^#]/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
while getopts w:r: opt; do
	case $opt in
	w) work=$OPTARG ;;
	r) rounds=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
mode=$1
shift

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
mkdir -p "$work"
ovs=$work/openvswitch
if [ ! -f "$ovs/lib/.libs/libopenvswitch.a" ]; then
	[ -f /usr/src/openvswitch/openvswitch.tar.gz ] || apt-get install -y openvswitch-source >&2
	rm -rf "$ovs"
	tar xzf /usr/src/openvswitch/openvswitch.tar.gz -C "$work"
	echo "building OVS in $ovs" >&2
	(cd "$ovs" && ./configure --disable-ssl --disable-libcapng >"$work/configure.log" 2>&1 &&
		make -j"$(nproc)" >"$work/make.log" 2>&1) || {
		echo "OVS build failed; see $work/configure.log and $work/make.log" >&2
		exit 1
	}
fi
gcc -O2 -Wall -DHAVE_CONFIG_H -I"$ovs" -I"$ovs/include" -I"$ovs/lib" -o "$work/clsbench" \
	"$root/bench/ovs-classifier/clsbench.c" "$ovs/lib/.libs/libopenvswitch.a" -latomic -lm -lpthread -lrt
(cd "$root" && go test -c -o "$work/flowtable.test" ./flowtable)

# rules FILE RULES MASKS PRIO writes one case's rules and keys.
rules() {
	(cd "$root/flowtable" && "$work/flowtable.test" -test.run '^TestWriteOVSRefRules$' \
		-ovsref.out="$1" -ovsref.rules="$2" -ovsref.masks="$3" -ovsref.prio="$4" >/dev/null)
}

case $mode in
masks)
	for prio in mask random; do
		rules "$work/rules-$prio.txt" 2000 20 "$prio"
		"$work/clsbench" "$work/rules-$prio.txt" masks >"$root/testdata/megaflow/ovs-2000-20-$prio.txt"
	done
	echo "rewrote $root/testdata/megaflow" >&2
	;;
time)
	[ $# -gt 0 ] || set -- 10000/20/mask
	for shape in "$@"; do
		IFS=/ read -r n m prio <<<"$shape"
		rules "$work/rules.txt" "$n" "$m" "$prio"
		for round in $(seq "$rounds"); do
			(cd "$root/flowtable" && "$work/flowtable.test" -test.run '^$' -test.benchtime 1s \
				-test.bench "ClassifierLookup/^rules=$n\$/^masks=$m\$/^prio=$prio\$/") |
				awk '/^Benchmark/ { split($1, p, "/"); sub(/-[0-9]+$/, "", p[5]); print "govs", p[5], $3 }'
			for wc in wc nowc; do
				echo "ovs $wc $("$work/clsbench" "$work/rules.txt" time $((n < 1000 ? 3000000 : 1500000)) $wc | awk '{print $1}')"
			done
		done | sort -k1,1 -k2,2 -k3,3g | awk -v shape="$shape" '
			function flush() {
				if (c == 0) return
				median = c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
				printf "%-16s %-5s %-5s %8.1f %8.1f %8.1f  ns/lookup\n", shape, impl, kind, v[1], median, v[c]
				c = 0
			}
			$1 != impl || $2 != kind { flush(); impl = $1; kind = $2 }
			{ v[++c] = $3 }
			END { flush() }'
	done
	;;
insert)
	rules "$work/rules.txt" 100000 20 random
	for round in $(seq "$rounds"); do
		(cd "$root/flowtable" && "$work/flowtable.test" -test.run '^$' -test.benchtime 300000x \
			-test.bench '^BenchmarkClassifierInsert$') |
			awk '/^Benchmark/ { for (i = 1; i < NF; i++) if ($(i + 1) == "inserts/s") print "govs", $i }'
		echo "ovs $("$work/clsbench" "$work/rules.txt" insert 3 | awk '{print $1}')"
	done | sort -k1,1 -k2,2g | awk '
		function flush() {
			if (c == 0) return
			median = c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
			printf "%-5s %9.0f %9.0f %9.0f  inserts/s\n", impl, v[1], median, v[c]
			c = 0
		}
		$1 != impl { flush(); impl = $1 }
		{ v[++c] = $2 }
		END { flush() }'
	;;
*) usage ;;
esac

#!/bin/bash
# compare.sh runs the benchmarks of one package for two builds, the working
# tree and an older revision, in turn, several rounds, and prints for each
# benchmark and unit the minimum, median and maximum of each build.
#
# The shared VMs this project runs on change speed by 2x from hour to hour:
# a figure from one run says little, and two builds measured an hour apart
# even less. Alternating the builds puts both through the same slow and
# fast spells; the medians then compare them.
#
# usage: bench/compare.sh [-r rounds] [-p package] [-t benchtime] REV [REGEX]
#   bench/compare.sh -r 10 -t 300000x HEAD~3 ClassifierInsert
#   bench/compare.sh -t 1000000x main 'ClassifierLookup/rules=10000/masks=20/prio=mask/^wc$'
set -euo pipefail

rounds=6 pkg=./flowtable benchtime=1s
usage() {
	echo "usage: $0 [-r rounds] [-p package] [-t benchtime] REV [REGEX]" >&2
	exit 2
}
while getopts r:p:t: opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	p) pkg=$OPTARG ;;
	t) benchtime=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
rev=$1 regex=${2:-.}
export rev

cd "$(git rev-parse --show-toplevel)"
work=$(mktemp -d)
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach -q "$work/tree" "$rev"
(cd "$work/tree" && go test -c -o "$work/old.test" "$pkg")
go test -c -o "$work/new.test" "$pkg"

# Each binary runs in its own tree's package directory, as go test would,
# and its result lines become one line per benchmark and unit:
# "BenchmarkX-2  N  12.3 ns/op  0 B/op" -> "BenchmarkX-2 ns/op old 12.3", ...
run() {
	(cd "$2/$pkg" && "$work/$1.test" -test.run '^$' -test.bench "$regex" -test.benchtime "$benchtime" -test.benchmem) |
		awk -v build="$1" '/^Benchmark/ && NF >= 4 { for (i = 3; i + 1 <= NF; i += 2) print $1, $(i + 1), build, $i }'
}

for round in $(seq "$rounds"); do
	echo "round $round of $rounds" >&2
	run old "$work/tree"
	run new .
done | sort -k1,1 -k2,2 -k3,3r -k4,4g | awk '
	function flush() {
		if (n == 0) return
		median = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%-64s %-4s %12g %12g %12g  %s\n", name, build, v[1], median, v[n], unit
		n = 0
	}
	BEGIN { printf "%-64s %-4s %12s %12s %12s  %s\n", "benchmark (" ENVIRON["rev"] " = old)", "", "min", "median", "max", "unit" }
	{ key = $1 " " $2 " " $3 }
	key != last { flush(); last = key; name = $1; unit = $2; build = $3 }
	{ v[++n] = $4 }
	END { flush() }
'

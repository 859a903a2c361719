#!/usr/bin/env bash
# bench/run.sh: portwatch against nmap on the namespace lab, in the same run,
# on the same hosts. Prints a table of wall times and ratios, checks that
# portwatch's answer matches the lab's ground truth port by port, and writes
# the table to bench/results/latest.md. Needs root (network namespaces), nmap
# and jq; run it through `make bench`.
#
# Env: BIN (portwatch binary, default bin/portwatch), REPEAT (runs per case,
# median reported; default 3; nmap on the default-drop host runs once unless
# REPEAT_SLOW is set), LAB_PREFIX (default pwb).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/bin/portwatch}
REPEAT=${REPEAT:-3}
REPEAT_SLOW=${REPEAT_SLOW:-1}
export LAB_PREFIX=${LAB_PREFIX:-pwb}
DIR=/tmp/${LAB_PREFIX}-lab
OUT=$root/bench/results
mkdir -p "$OUT"

die() { echo "bench: $*" >&2; exit 2; }
[[ $EUID -eq 0 ]] || die "needs root (network namespaces)"
for t in nmap jq; do command -v $t >/dev/null || die "$t not installed (scripts/install-deps.sh)"; done
[[ -x $BIN ]] || die "no binary at $BIN (make build)"

"$root/test/lab/lab.sh" up "$DIR" >/dev/null
trap '"$root/test/lab/lab.sh" down "$DIR" >/dev/null 2>&1 || true' EXIT
truth=$DIR/truth.json
ns=$(jq -r .scanner_netns "$truth")
responsive=$(jq -r '[.hosts[] | select(.default_tcp == "closed")][0].ipv4' "$truth")
dropping=$(jq -r '[.hosts[] | select(.default_tcp == "filtered")][0].ipv4' "$truth")
udphost=$(jq -r '[.hosts[] | select((.udp // {}) | length > 0)][0].ipv4 // empty' "$truth")
sparse=$(jq -r '.subnets[0].cidr // empty' "$truth")
sparse_self=$(jq -r '.subnets[0].scanner_ipv4 // empty' "$truth")
# -sV: every open TCP port the truth names a service for, on every host but
# the wildcard one.
sv_hosts=$(jq -r '[.hosts[] | select(.wildcard != true) | .ipv4] | join(" ")' "$truth")
sv_ports=$(jq -r '[.hosts[] | select(.wildcard != true) | .tcp | to_entries[] | select(.value.state == "open" and .value.service != null) | .key] | unique | join(",")' "$truth")

# ms CMD...: runs CMD in the scanner namespace, prints its wall time in ms.
ms() {
	local s e
	s=$(date +%s%N)
	ip netns exec "$ns" "$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}

# median N CMD...: median wall time of N runs.
median() {
	local n=$1
	shift
	local times=()
	for ((i = 0; i < n; i++)); do times+=("$(ms "$@")"); done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# misclassified ADDR JSON [syn]: ports of ADDR whose state in portwatch's
# JSON differs from the ground truth (unlisted ports have the state counted
# in other_states). With "syn", an ICMP port-unreachable port is expected
# filtered, as nmap -sS reports it.
misclassified() {
	jq -n --arg a "$1" --arg mode "${3:-connect}" --slurpfile t "$truth" --slurpfile r "$2" '
	  ($t[0].hosts[] | select(.ipv4 == $a)) as $h
	  | ($r[0].hosts[] | select(.address == $a)) as $x
	  | ($x.ports | map({key: (.port | tostring), value: .state}) | from_entries) as $listed
	  | ($x.other_states | keys) as $omitted
	  | [range(1; 65536) | tostring
	     | (if $mode == "syn" and $h.tcp[.].reason == "icmp-port-unreachable" then "filtered"
	        else ($h.tcp[.].state // $h.default_tcp) end) as $want
	     | ($listed[.] // (if ($omitted | length) == 1 then $omitted[0] else "?" end)) as $got
	     | select($want != $got)] | length'
}

rows=()
row() { rows+=("$(printf '| %-34s | %9.2f s | %9.2f s | %6.1fx |' "$1" "$(bc_div "$2")" "$(bc_div "$3")" "$(ratio "$3" "$2")")"); }
bc_div() { awk -v v="$1" 'BEGIN {printf "%.2f", v / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}'; }

check() { # check LABEL ADDR [syn]
	local json=$OUT/$1.json mode=${3:-connect}
	ip netns exec "$ns" "$BIN" scan -q "--$mode" -p- -o json --output-file "$json" "$2" >/dev/null 2>&1 || true
	local bad
	bad=$(misclassified "$2" "$json" "$mode")
	echo "bench: $1 ($2): $bad ports misclassified by portwatch"
	[[ $bad == 0 ]] || echo "bench: WARNING: portwatch disagrees with the ground truth on $1" >&2
}

echo "bench: lab up; responsive host $responsive, default-drop host $dropping; $REPEAT runs per case"
check responsive "$responsive"
check default-drop "$dropping"
check syn-responsive "$responsive" syn
check syn-default-drop "$dropping" syn

pw=$(median "$REPEAT" "$BIN" scan -q --connect -p- -o json "$responsive")
nm=$(median "$REPEAT" nmap -sT -p- -T4 -n "$responsive")
row "connect -p-, responsive host" "$pw" "$nm"

pw=$(median "$REPEAT" "$BIN" scan -q --connect -p- -o json "$dropping")
nm=$(median "$REPEAT_SLOW" nmap -sT -p- -T4 -n "$dropping")
row "connect -p-, default-drop host" "$pw" "$nm"

pw=$(median "$REPEAT" "$BIN" scan -q --syn -p- -o json "$responsive")
nm=$(median "$REPEAT" nmap -sS -p- -T4 -n "$responsive")
row "SYN -p-, responsive host" "$pw" "$nm"

pw=$(median "$REPEAT" "$BIN" scan -q --syn -p- -o json "$dropping")
nm=$(median "$REPEAT_SLOW" nmap -sS -p- -T4 -n "$dropping")
row "SYN -p-, default-drop host" "$pw" "$nm"

if [[ -n $udphost ]]; then
	pw=$(median "$REPEAT" "$BIN" scan -q -sU --top-ports 100 -o json "$udphost")
	nm=$(median "$REPEAT_SLOW" nmap -sU --top-ports 100 -T4 -n "$udphost")
	row "UDP top-100 (DNS, NTP, SNMP host)" "$pw" "$nm"
	ip netns exec "$ns" "$BIN" scan -q -sU -sV --top-ports 100 -o json --output-file "$OUT/udp.json" "$udphost" >/dev/null 2>&1 || true
	echo "bench: UDP top-100 on $udphost: open $(jq -r '[.hosts[0].ports[] | select(.state == "open") | "\(.port) \(.service.name // "?")"] | join(", ")' "$OUT/udp.json")"
fi

if [[ -n $sparse ]]; then
	pw=$(median "$REPEAT" "$BIN" scan -q --syn --top-ports 100 --exclude "$sparse_self" -o json "$sparse")
	nm=$(median "$REPEAT" nmap -sS --top-ports 100 -T4 -n --exclude "$sparse_self" "$sparse")
	row "/24, 5 live hosts, top-100, discovery" "$pw" "$nm"
fi

if [[ -n $sv_ports ]]; then
	# shellcheck disable=SC2086 # the host list is meant to split
	pw=$(ms "$BIN" scan -q --syn -sV -p "$sv_ports" -o json --output-file "$OUT/sv.json" $sv_hosts)
	# shellcheck disable=SC2086
	nm=$(ms nmap -sS -sV -T4 -n -p "$sv_ports" -oX "$OUT/sv-nmap.xml" $sv_hosts)
	row "-sV on $(echo "$sv_ports" | tr ',' '\n' | wc -l) ports x $(echo $sv_hosts | wc -w) hosts" "$pw" "$nm"
	(cd "$root" && go run ./bench/svcompare "$truth" "$OUT/sv.json" "$OUT/sv-nmap.xml") | sed 's/^/bench: -sV accuracy: /' | tee "$OUT/sv-accuracy.txt"
fi

{
	echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(uname -r); $(nmap --version | head -1)"
	echo "Command: make bench (bench/run.sh), REPEAT=$REPEAT, median wall time"
	echo
	echo "| case                               | portwatch   | nmap        | nmap/pw |"
	echo "|------------------------------------|-------------|-------------|---------|"
	printf '%s\n' "${rows[@]}"
	if [[ -f $OUT/sv-accuracy.txt ]]; then
		echo
		sed 's/^bench: -sV accuracy: //' "$OUT/sv-accuracy.txt"
	fi
} | tee "$OUT/latest.md"

#!/usr/bin/env bash
# bench/monitors.sh: `portwatch serve` with MONITORS TCP monitors (default
# 10,000) every INTERVAL (default 10s) against the namespace lab's open,
# closed and filtered endpoints for DURATION seconds (default 300). Measures
# the daemon's CPU and memory from /proc, its schedule lag and counters from
# /debug/stats, and what reached the database; prints a table with PASS/FAIL
# per target and writes it to bench/results/monitors-latest.md. Exit 0 when
# every target passes, 1 when one fails, 2 when the benchmark could not run.
# Needs root (network namespaces), jq, curl and sqlite3; run it through
# `make bench-monitors`.
#
# Targets (issue 5): p99 schedule lag < 1 s, CPU < 1 core, peak RSS < 200 MB,
# every run stored (none failed locally or dropped at shutdown, every
# observation handed to the writer in the database), no failed write; and
# also runs within one interval of MONITORS x DURATION / INTERVAL, exit 0
# after SIGTERM.
#
# Env: BIN (default bin/portwatch), MONITORS (10000), INTERVAL (10s; a
# whole number of ms, s or m), TIMEOUT (2s), DURATION (300, seconds), WARMUP
# (15, seconds left out of the CPU figures), LAB_PREFIX (pwbm), PORT (17070,
# the daemon's HTTP port on the scanner namespace's loopback), WORK (scratch
# directory, default /tmp/$LAB_PREFIX-bench; emptied first), KEEP_DB=1 keeps
# the database there after the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/bin/portwatch}
MONITORS=${MONITORS:-10000}
INTERVAL=${INTERVAL:-10s}
TIMEOUT=${TIMEOUT:-2s}
DURATION=${DURATION:-300}
WARMUP=${WARMUP:-15}
PORT=${PORT:-17070}
export LAB_PREFIX=${LAB_PREFIX:-pwbm}
DIR=/tmp/${LAB_PREFIX}-lab
WORK=${WORK:-/tmp/${LAB_PREFIX}-bench}
OUT=$root/bench/results
LISTEN=127.0.0.1:$PORT
HERE=$root/bench/monitors

die() { echo "bench-monitors: $*" >&2; exit 2; }
say() { echo "bench-monitors: $*" >&2; }
[[ $EUID -eq 0 ]] || die "needs root (network namespaces)"
for t in jq curl sqlite3 awk; do command -v "$t" >/dev/null || die "$t not installed (scripts/install-deps.sh)"; done
[[ -x $BIN ]] || die "no binary at $BIN (make build)"
[[ $MONITORS =~ ^[0-9]+$ && $DURATION =~ ^[0-9]+$ && $WARMUP =~ ^[0-9]+$ ]] || die "MONITORS, DURATION and WARMUP must be whole numbers"
((DURATION > WARMUP)) || die "DURATION must be longer than WARMUP ($WARMUP s)"
[[ $WORK =~ ^/tmp/[A-Za-z0-9._-]+$ ]] || die "WORK must be a directory directly under /tmp"
[[ $INTERVAL =~ ^([0-9]+)(ms|s|m)$ ]] || die "INTERVAL '$INTERVAL': want a whole number of ms, s or m"
case ${BASH_REMATCH[2]} in
ms) interval_ms=${BASH_REMATCH[1]} ;;
s) interval_ms=$((BASH_REMATCH[1] * 1000)) ;;
m) interval_ms=$((BASH_REMATCH[1] * 60000)) ;;
esac
((interval_ms > 0)) || die "INTERVAL must be positive"

pid=
# cleanup: stops the daemon if it still runs, then tears the lab down.
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	"$root/test/lab/lab.sh" down "$DIR" >/dev/null 2>&1 || true
	if [[ ${KEEP_DB:-} != 1 ]]; then rm -f "$WORK"/bench.db*; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
"$root/test/lab/lab.sh" up "$DIR" >/dev/null || die "lab up failed (see $DIR)"
truth=$DIR/truth.json
ns=$(jq -r .scanner_netns "$truth")
cfg=$WORK/monitors.yaml db=$WORK/bench.db log=$WORK/serve.log

"$HERE/genconfig.sh" "$truth" "$MONITORS" "$INTERVAL" "$TIMEOUT" "$LISTEN" "$db" bench >"$cfg" 2>"$WORK/split"
read -r n_open n_closed n_filtered addr_open addr_closed addr_filtered <"$WORK/split"
"$BIN" config validate "$cfg" >&2 || die "generated config $cfg is not valid"
say "lab up; $MONITORS monitors every $INTERVAL for $DURATION s: $n_open open ($addr_open), $n_closed closed ($addr_closed), $n_filtered filtered ($addr_filtered)"

# stats: the daemon's /debug/stats, fetched from inside the scanner namespace
# with a viewer token (everything but the health checks needs one).
token=$("$BIN" token create --db "$db" --name bench-monitors --role viewer 2>/dev/null) || die "token create failed"
stats() { ip netns exec "$ns" curl -sf --max-time 5 -H "Authorization: Bearer $token" "http://$LISTEN/debug/stats"; }
dbsize() { local s=0 f; for f in "$db" "$db-wal"; do [[ -f $f ]] && s=$((s + $(stat -c %s "$f"))); done; echo "$s"; }

ip netns exec "$ns" "$BIN" serve --config "$cfg" --db "$db" --listen "$LISTEN" --log-format json >"$log" 2>&1 &
pid=$!
for ((i = 0; i < 300; i++)); do
	stats >"$WORK/stats-start.json" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "serve exited during startup (log: $log)"; }
	sleep 0.1
done
((i < 300)) || { tail -20 "$log" >&2; die "no /debug/stats on $LISTEN after 30 s (log: $log)"; }
[[ $(readlink "/proc/$pid/exe") == "$(readlink -f "$BIN")" ]] || die "pid $pid is not $BIN"
db_start=$(dbsize)
say "serve (pid $pid) up; sampling /proc/$pid every second for $DURATION s"

# sample: one line "ELAPSED_MS TICKS RSS_KB HWM_KB" for the daemon: ms since
# t0, its utime+stime in clock ticks, VmRSS and VmHWM. Builtins only, so the
# sampler costs next to nothing.
sample() {
	local stat rest f rss=0 hwm=0 k v _
	read -r stat <"/proc/$pid/stat" || return 1
	rest=${stat##*) }
	read -ra f <<<"$rest"
	while read -r k v _; do
		case $k in
		VmRSS:) rss=$v ;;
		VmHWM:) hwm=$v ;;
		esac
	done <"/proc/$pid/status" || return 1
	echo "$(((${EPOCHREALTIME/./} - t0) / 1000)) $((f[11] + f[12])) $rss $hwm"
}

# Once a second a sample; every 10 s the daemon's stats go to stats.jsonl,
# for the record.
samples=$WORK/samples.tsv
t0=${EPOCHREALTIME/./}
for ((s = 1; s <= DURATION; s++)); do
	next=$((t0 + s * 1000000))
	now=${EPOCHREALTIME/./}
	((next > now)) && sleep "$(printf '%d.%06d' $(((next - now) / 1000000)) $(((next - now) % 1000000)))"
	kill -0 "$pid" 2>/dev/null || break
	sample >>"$samples" || break
	if ((s % 10 == 0)); then { stats | jq -c . || echo "{}"; } >>"$WORK/stats.jsonl"; fi
done
alive=yes
if ! kill -0 "$pid" 2>/dev/null; then
	alive=no
	say "serve died after about $s s; tail of $log:"
	tail -20 "$log" >&2
fi

stats >"$WORK/stats-end.json" 2>/dev/null || echo '{}' >"$WORK/stats-end.json"
elapsed_ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
t_stop=${EPOCHREALTIME/./}
exit_code=none
if [[ $alive == yes ]]; then
	kill -TERM "$pid"
	for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		say "serve still running 60 s after SIGTERM; killing it"
		kill -KILL "$pid"
		exit_code=killed
	fi
fi
set +e
wait "$pid"
rc=$?
set -e
[[ $exit_code == killed ]] || exit_code=$rc
stop_ms=$(((${EPOCHREALTIME/./} - t_stop) / 1000))
pid=
db_end=$(dbsize)
# The daemon's last word: observations handed to the writer over its whole
# life, and what the writer committed and lost, after the final flush.
final=$(jq -rRn '[inputs | fromjson? | objects | select(.msg == "stopped")][-1] // {} | "\(.observations // "missing") \(.failed // "missing")"' "$log" 2>/dev/null) ||
	final="missing missing"
read -r final_obs final_failed <<<"$final"

# What reached the database, by endpoint kind: "HEXADDR STATE COUNT" lines.
sqlite3 -readonly -separator ' ' "$db" \
	'SELECT hex(s.addr), o.state, count(*) FROM observations o JOIN series s ON s.id = o.series_id GROUP BY 1, 2' \
	>"$WORK/stored.txt" 2>"$WORK/sqlite.err" || { cat "$WORK/sqlite.err" >&2; die "cannot read observations from $db"; }

{
	echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(uname -r); $(timeout 5 "$BIN" --version 2>/dev/null | head -1)"
	echo "Command: make bench-monitors (bench/monitors.sh), MONITORS=$MONITORS INTERVAL=$INTERVAL TIMEOUT=$TIMEOUT DURATION=$DURATION WARMUP=$WARMUP"
	echo
	"$HERE/report.sh" \
		monitors="$MONITORS" interval="$INTERVAL" interval_ms="$interval_ms" duration="$DURATION" warmup="$WARMUP" \
		elapsed_ms="$elapsed_ms" stop_ms="$stop_ms" exit_code="$exit_code" alive="$alive" \
		db_start="$db_start" db_end="$db_end" clk_tck="$(getconf CLK_TCK)" \
		n_open="$n_open" n_closed="$n_closed" n_filtered="$n_filtered" \
		addr_open="$addr_open" addr_closed="$addr_closed" addr_filtered="$addr_filtered" \
		final_obs="$final_obs" final_failed="$final_failed" \
		samples="$samples" stats="$WORK/stats-end.json" stored="$WORK/stored.txt"
} >"$WORK/result.md"
cp "$WORK/result.md" "$OUT/monitors-latest.md"
cat "$WORK/result.md"
grep -q '^Result: PASS' "$WORK/result.md" || exit 1

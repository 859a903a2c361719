#!/usr/bin/env bash
# bench/monitors/report.sh: the result table of bench/monitors.sh, in
# Markdown, from the files and figures the run collected. Ends with a line
# "Result: PASS" or "Result: FAIL (...)"; exits 0 either way (2 on bad input).
#
# Usage: report.sh KEY=VALUE... with the keys
#   monitors interval interval_ms duration warmup elapsed_ms stop_ms
#   exit_code alive db_start db_end clk_tck n_open n_closed n_filtered
#   addr_open addr_closed addr_filtered
#   final_obs final_failed  the daemon's "stopped" log line: observations
#            handed to the writer in its whole life, batches lost
#   samples  file of "ELAPSED_MS TICKS RSS_KB HWM_KB" lines, one a second
#   stats    the daemon's last /debug/stats JSON, taken just before SIGTERM
#   stored   file of "HEXADDR STATE COUNT" lines counted in the database
set -euo pipefail
declare -A a
for kv in "$@"; do
	[[ $kv == *=* ]] || { echo "report: bad argument '$kv'" >&2; exit 2; }
	a[${kv%%=*}]=${kv#*=}
done
for k in monitors interval interval_ms duration warmup elapsed_ms stop_ms exit_code alive db_start db_end \
	clk_tck n_open n_closed n_filtered addr_open addr_closed addr_filtered final_obs final_failed samples stats stored; do
	[[ -v a[$k] ]] || { echo "report: missing $k=" >&2; exit 2; }
done

# CPU over the steady part (after warmup): mean, and the peak of one-second
# windows; peak RSS is the kernel's high-water mark (VmHWM).
read -r cpu_mean cpu_peak rss_end_kb hwm_kb steady_s < <(awk -v w="$((a[warmup] * 1000))" -v hz="${a[clk_tck]}" '
	$1 >= w { if (n++ == 0) { t0 = $1; c0 = $2 } else { d = ($2 - pc) / hz / (($1 - pt) / 1000); if (d > peak) peak = d }
	          pt = $1; pc = $2 }
	{ rss = $3; if ($4 > hwm) hwm = $4 }
	END { mean = (n > 1 ? (pc - c0) / hz / ((pt - t0) / 1000) : -1)
	      printf "%.3f %.3f %d %d %d\n", mean, (n > 1 ? peak : -1), rss, hwm, (n > 1 ? (pt - t0) / 1000 : 0) }' "${a[samples]}")

isnum() { [[ $1 =~ ^[0-9]+$ ]]; }
# j PATH: a number from the stats JSON, or "missing".
j() { jq -r "($1 // \"missing\") | tostring" "${a[stats]}" 2>/dev/null || echo missing; }
jobs=$(j .scheduler.jobs) runs=$(j .scheduler.runs) missed=$(j .scheduler.missed)
queued=$(j .scheduler.queued) running=$(j .scheduler.running)
p50=$(j .scheduler.lag_p50_ns) p99=$(j .scheduler.lag_p99_ns) lagmax=$(j .scheduler.lag_max_ns)
committed=$(j .writer.committed) failed=$(j .writer.failed) batches=$(j .writer.batches)
handed=$(j .observations) checks=$(j .checks) check_errors=$(j .check_errors)
final_obs=${a[final_obs]} final_failed=${a[final_failed]}

# shellcheck disable=SC2086 # the address is meant to split on dots
hex() { local IFS=.; set -- $1; printf '%02X%02X%02X%02X' "$1" "$2" "$3" "$4"; }
# count ADDR [STATE]: observations stored for ADDR (in STATE).
count() { awk -v h="$(hex "$1")" -v s="${2:-}" '$1 == h && (s == "" || $2 == s) { n += $3 } END { print n + 0 }' "${a[stored]}"; }
stored=$(awk '{ n += $3 } END { print n + 0 }' "${a[stored]}")
ok_open=$(count "${a[addr_open]}" open) all_open=$(count "${a[addr_open]}")
ok_closed=$(count "${a[addr_closed]}" closed) all_closed=$(count "${a[addr_closed]}")
ok_filtered=$(count "${a[addr_filtered]}" filtered) all_filtered=$(count "${a[addr_filtered]}")
ms() { [[ $1 =~ ^[0-9]+$ ]] && awk -v v="$1" 'BEGIN { printf "%.1f ms", v / 1e6 }' || echo "$1"; }
num() { [[ $1 =~ ^[0-9]+$ ]] && sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1" || echo "$1"; }
mb() { awk -v v="$1" 'BEGIN { printf "%.1f MB", v / 1e6 }'; }
states=$(awk '{ s[$2] += $3 } END { for (k in s) print k, s[k] }' "${a[stored]}" | sort | while read -r k v; do printf '%s %s\n' "$k" "$(num "$v")"; done | paste -sd';' - | sed 's/;/; /g')


# Runs without a result: those that failed locally (at the last stats),
# and those in flight at SIGTERM that never reached the writer: runs =
# checks + check_errors + running at the last stats, and the checks that
# finished after it show up in the final observation count.
lost="?"
if isnum "$runs" && isnum "$check_errors" && isnum "$final_obs" && isnum "$checks"; then
	dropped=$((runs - check_errors - final_obs))
	((dropped >= 0)) || dropped=0
	lost="$(num "$check_errors") / $(num "$dropped")"
fi

# Checks expected: one per monitor per interval over the time the daemon ran
# (from its first /debug/stats answer to SIGTERM), give or take one interval
# (the first check of each monitor is jittered within its first interval).
exp=$(((a[monitors] * a[elapsed_ms]) / a[interval_ms]))
exp_lo=$((exp - a[monitors])) exp_hi=$((exp + a[monitors]))
growth=$((a[db_end] - a[db_start]))
per_m=$(awk -v g="$growth" -v n="$stored" 'BEGIN { if (n > 0) printf "%.1f MB", g / n * 1e6 / 1e6; else print "n/a" }')

# check NAME OK: the PASS/FAIL cell (NAME is for the summary line).
check() { if [[ $2 == yes ]]; then echo PASS; else echo FAIL; fi; }
lt() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x >= 0 && x < y) }'; }
c_lag=$(check "p99 lag" "$(isnum "$p99" && ((p99 < 1000000000)) && echo yes)")
c_cpu=$(check "CPU" "$(lt "$cpu_mean" 1 && echo yes)")
c_rss=$(check "RSS" "$( ((hwm_kb > 0 && hwm_kb * 1024 < 200000000)) && echo yes)")
# Every run accounted for: the last /debug/stats comes a few ms before
# SIGTERM, and runs started in between finish during the shutdown, so
# stored may exceed the runs counted then, never fall short of them. Each
# observation the daemon handed to its writer (its "stopped" log line,
# after the final flush) must be in the database, and no check may have
# failed without a result.
c_stored=$(check "stored == runs" "$(isnum "$runs" && isnum "$final_obs" && isnum "$check_errors" &&
	((stored >= runs && stored == final_obs && check_errors == 0)) && echo yes)")
c_failed=$(check "failed writes" "$(isnum "$failed" && isnum "$final_failed" && ((failed == 0 && final_failed == 0)) && echo yes)")
c_runs=$(check "runs expected" "$(isnum "$runs" && ((runs >= exp_lo && runs <= exp_hi)) && echo yes)")
c_exit=$(check "clean shutdown" "$([[ ${a[alive]} == yes && ${a[exit_code]} == 0 ]] && echo yes)")

cat <<EOF
| measure | value | target | |
|---|---|---|---|
| monitors | $(num "${a[monitors]}") TCP ($(num "${a[n_open]}") open on ${a[addr_open]}, $(num "${a[n_closed]}") closed on ${a[addr_closed]}, $(num "${a[n_filtered]}") filtered on ${a[addr_filtered]}); scheduler jobs $jobs | | |
| interval, duration | ${a[interval]}, ${a[duration]} s (daemon ran $(awk -v v="${a[elapsed_ms]}" 'BEGIN { printf "%.1f", v / 1000 }') s until SIGTERM) | | |
| CPU, mean over the steady ${steady_s} s (after ${a[warmup]} s) | $cpu_mean cores | < 1 core | $c_cpu |
| CPU, peak one-second window | $cpu_peak cores | | |
| RSS, peak (VmHWM) / at the end | $(mb "$((hwm_kb * 1024))") / $(mb "$((rss_end_kb * 1024))") | < 200 MB | $c_rss |
| schedule lag p50 / p99 / max | $(ms "$p50") / $(ms "$p99") / $(ms "$lagmax") | p99 < 1 s | $c_lag |
| runs started / missed (folded into a later run) | $(num "$runs") / $(num "$missed") | | |
| expected checks (monitors × time / interval ± one interval) | $(num "$exp") ($(num "$exp_lo") – $(num "$exp_hi")) | runs in range | $c_runs |
| checks recorded / failed locally (no result), at the last stats | $(num "$checks") / $(num "$check_errors") | | |
| observations handed to the writer / writer items committed / batches, at the last stats | $(num "$handed") / $(num "$committed") / $(num "$batches") | | |
| observations handed to the writer, whole run (daemon's "stopped" log line) | $(num "$final_obs") | | |
| observations stored (counted in the database after exit) | $(num "$stored") | = runs, = handed | $c_stored |
| runs without a stored result: failed locally / in flight at SIGTERM and dropped | $lost | 0 / 0 | |
| stored by state | $states | | |
| stored as the truth says: open / closed / filtered | $(num "$ok_open") of $(num "$all_open") / $(num "$ok_closed") of $(num "$all_closed") / $(num "$ok_filtered") of $(num "$all_filtered") | | |
| failed writes (last stats / after the final flush) | $(num "$failed") / $(num "$final_failed") | 0 | $c_failed |
| shutdown after SIGTERM | exit ${a[exit_code]} in ${a[stop_ms]} ms; queued $queued, running $running just before | exit 0 | $c_exit |
| database growth (file + WAL) | $(num "$growth") bytes ($(mb "${a[db_start]}") → $(mb "${a[db_end]}")) | | |
| database growth per 1M checks stored | $per_m | | |

EOF
fails=()
for c in "p99 lag:$c_lag" "CPU:$c_cpu" "RSS:$c_rss" "stored == runs:$c_stored" "failed writes:$c_failed" \
	"runs expected:$c_runs" "clean shutdown:$c_exit"; do
	[[ ${c##*:} == PASS ]] || fails+=("${c%:*}")
done
if ((${#fails[@]} == 0)); then
	echo "Result: PASS"
else
	list=$(printf '%s, ' "${fails[@]}")
	echo "Result: FAIL (${list%, })"
fi

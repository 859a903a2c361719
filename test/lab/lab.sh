#!/usr/bin/env bash
# lab.sh: portwatch's integration lab. Network namespaces joined by a bridge,
# real daemons (sshd, nginx, redis, dnsmasq, snmpd, chronyd, memcached,
# PostgreSQL, MariaDB, vsftpd, Exim, Dovecot, Mosquitto, NATS) inside them,
# real nftables rules in front of them, and a ground truth (truth.json)
# generated from the same tables that configured all of it.
#
#   lab.sh up     [DIR]   build the lab (tears a half-built one down first)
#   lab.sh down   [DIR]   destroy it; idempotent, never fails on missing parts
#   lab.sh status [DIR]   show what exists; exit 0 only if the lab is complete
#
# Env: LAB_PREFIX (default pw) prefixes every namespace (pw-br, pw-scan,
# pw-h1, pw-s1, ...) so that labs with different prefixes coexist. DIR
# defaults to /tmp/${LAB_PREFIX}-lab and holds every config, key, data, pid
# and log file. LAB_ICMP=kernel gives every host the kernel's default ICMP
# rate limiting (an experiment: which tests rely on unlimited ICMP errors?);
# truth.json says what each host got.
#
# Network safety (see the project's network rules): before anything else `up`
# adds blackhole routes for 198.18.0.0/15 and 2001:2::/48 in the root
# namespace and leaves them there, and no lab namespace has a default route,
# so nothing addressed to the lab can ever leave the machine.
#
# The daemons' start functions and facts live in daemons.sh, truth.json is
# written by truth.sh; both are sourced from here and read the tables below.
set -euo pipefail

P=${LAB_PREFIX:-pw}
if [[ ! "$P" =~ ^[a-z][a-z0-9]{0,11}$ ]]; then
	echo "lab: LAB_PREFIX '$P' must match ^[a-z][a-z0-9]{0,11}\$" >&2
	exit 2
fi
DIR=$(realpath -m -- "${2:-/tmp/${P}-lab}")
if [[ ! "$DIR" =~ ^/[A-Za-z0-9._/-]+$ || "$DIR" == / ]]; then
	echo "lab: DIR '$DIR' must be an absolute path of [A-Za-z0-9._/-]" >&2
	exit 2
fi
MARKER=.portwatch-lab # present in DIR only if this script made DIR
HERE=$(dirname -- "$(realpath -- "${BASH_SOURCE[0]}")")

# --- The lab's one source of truth -------------------------------------------
# Addresses, daemon configs, nftables rules and truth.json are all generated
# from the tables below; nothing else lists hosts, ports or states.

# Subnets, all on the one bridge: NAME IPv4 /24 prefix and IPv6 /64 prefix
# (host N of a subnet is PREFIX4.N and PREFIX6:N). The scanner has the
# address SCANNER_OCTET in each. "main" holds the hosts of truth.json's
# "hosts"; every other subnet is listed under "subnets" with its own hosts.
SUBNETS=(main sparse)
declare -A SUBNET4=([main]=198.18.0 [sparse]=198.18.1)
declare -A SUBNET6=([main]=2001:2: [sparse]=2001:2:0:1:)
SCANNER_OCTET=2
UNASSIGNED_OCTETS=$(seq 50 59) # main subnet: nobody there (no ARP answer)
DNS_ZONE=portwatch.lab          # every host is NAME.portwatch.lab

# Hosts: "NAME SUBNET OCTET POLICY ICMP".
#   POLICY  input policy of the host's firewall. "accept": ports without a
#           rule answer normally (closed unless something listens). "drop":
#           every port not explicitly accepted is silently dropped
#           (filtered), and pings go unanswered. "synproxy": an nftables SYN
#           proxy answers every SYN with a SYN-ACK (cookies) whatever listens
#           behind it: the wildcard host a scanner must flag.
#   ICMP    "unlimited": no ICMP error rate limit (icmp_ratelimit=0 and an
#           empty ratemask for IPv4 and IPv6), so every probe of a closed
#           or rejected port gets its ICMP error however fast it comes.
#           "kernel": the kernel's defaults, as on any real Linux host: per
#           peer about one port-unreachable a second after a burst of ~6
#           (IPv6: a few more), so a fast UDP scan meets silence on closed
#           ports and must call it open|filtered.
# h1..h4 stay unlimited: their TCP reject and admin-prohibited ports are
# probed by many tests at once and each probe needs its ICMP error.
HOST_TABLE=(
	"h1 main   11  accept   unlimited"
	"h2 main   12  drop     unlimited"
	"h3 main   13  accept   unlimited"
	"h4 main   14  synproxy unlimited"
	"h5 main   15  accept   kernel" # UDP services
	"h6 main   16  accept   kernel" # databases
	"h7 main   17  accept   kernel" # mail, file transfer, messaging
	"s1 sparse 1   accept   kernel" # the sparse subnet: 5 of 254 addresses
	"s2 sparse 37  accept   kernel"
	"s3 sparse 100 accept   kernel"
	"s4 sparse 142 drop     kernel"
	"s5 sparse 254 accept   kernel"
)

# Ports: "HOST PORT/PROTO DAEMON RULE".
#   DAEMON  what serves the port, a kind from DAEMON_KINDS in daemons.sh
#           (sshd, http, https, redis, dns, snmp, ntp, memcached, postgres,
#           mariadb, ftp, smtp, imap, imaps, pop3, pop3s, mqtt, nats) or none
#   RULE    nftables rule in front of it:
#           -             none (on a policy-drop host: dropped by the policy)
#           accept        accepted (needed on policy-drop hosts)
#           drop          silently dropped                      => filtered
#           reject        ICMP port unreachable (ECONNREFUSED)  => closed
#           reject-admin  ICMP admin-prohibited (EHOSTUNREACH)  => filtered
#           reject-reset  TCP RST (tcp only)                    => closed
# Daemons behind drop/reject rules are real: the rule, not a missing
# listener, makes the state. A dns port must be listed for udp and tcp (one
# dnsmasq serves both); unlisted UDP ports of a host are closed (ICMP port
# unreachable), or filtered on a policy-drop host.
PORTS=(
	"h1 22/tcp    sshd      -"
	"h1 80/tcp    http      -"
	"h1 443/tcp   https     -"
	"h1 6379/tcp  redis     -"
	"h1 8080/tcp  http      drop"
	"h1 8081/tcp  http      reject"
	"h2 22/tcp    sshd      accept"
	"h2 6379/tcp  redis     -"
	"h2 8443/tcp  https     accept"
	"h3 2222/tcp  sshd      -"
	"h3 3306/tcp  http      reject-reset"
	"h3 5432/tcp  http      reject-admin"
	"h3 8000/tcp  http      -"
	"h3 16379/tcp redis     -"
	"h4 22/tcp    sshd      -"
	"h5 53/udp    dns       -"
	"h5 53/tcp    dns       -"
	"h5 123/udp   ntp       -"
	"h5 161/udp   snmp      -"
	"h5 500/udp   none      drop"
	"h5 514/udp   none      reject-admin"
	"h5 11211/tcp memcached -"
	"h5 11211/udp memcached -"
	"h6 3306/tcp  mariadb   -"
	"h6 5432/tcp  postgres  -"
	"h6 6543/tcp  postgres  -"
	"h6 7777/tcp  redis     -"
	"h7 21/tcp    ftp       -"
	"h7 25/tcp    smtp      -"
	"h7 110/tcp   pop3      -"
	"h7 143/tcp   imap      -"
	"h7 993/tcp   imaps     -"
	"h7 995/tcp   pop3s     -"
	"h7 1883/tcp  mqtt      -"
	"h7 2525/tcp  smtp      -"
	"h7 4222/tcp  nats      -"
	"h7 9999/tcp  http      -"
	"s1 22/tcp    sshd      -"
	"s2 80/tcp    http      -"
	"s2 443/tcp   https     -"
	"s3 22/tcp    sshd      -"
	"s3 8080/tcp  http      -"
	"s4 443/tcp   https     accept"
	"s5 80/tcp    http      -"
	"s5 443/tcp   https     -"
	"s5 8080/tcp  http      -"
)

# --- Derived facts -----------------------------------------------------------

HOSTS=()
declare -A HOST_SUBNET HOST_OCTET HOST_POLICY HOST_ICMP
for _line in "${HOST_TABLE[@]}"; do
	read -r _h _s _o _p _i <<<"$_line"
	HOSTS+=("$_h")
	HOST_SUBNET[$_h]=$_s HOST_OCTET[$_h]=$_o HOST_POLICY[$_h]=$_p HOST_ICMP[$_h]=$_i
	if [[ ${LAB_ICMP:-} == kernel ]]; then HOST_ICMP[$_h]=kernel; fi
done
unset _line _h _s _o _p _i

ns_br() { echo "${P}-br"; }
ns_scan() { echo "${P}-scan"; }
ns_host() { echo "${P}-$1"; }
ip4_of() { echo "${SUBNET4[${HOST_SUBNET[$1]}]}.${HOST_OCTET[$1]}"; }
ip6_of() { echo "${SUBNET6[${HOST_SUBNET[$1]}]}:${HOST_OCTET[$1]}"; }
hdir() { echo "$DIR/$1"; }
fqdn() { echo "$1.$DNS_ZONE"; }

# hosts_in SUBNET: the hosts of one subnet, in table order.
hosts_in() {
	local h
	for h in "${HOSTS[@]}"; do
		if [[ ${HOST_SUBNET[$h]} == "$1" ]]; then echo "$h"; fi
	done
}

# port_state POLICY DAEMON RULE: the state of a port.
port_state() {
	local policy=$1 daemon=$2 rule=$3
	case $rule in
	drop | reject-admin) echo filtered ;;
	reject | reject-reset) echo closed ;;
	accept) [[ $daemon == none ]] && echo closed || echo open ;;
	-)
		if [[ $policy == drop ]]; then
			echo filtered
		elif [[ $policy == synproxy ]]; then
			echo open
		elif [[ $daemon == none ]]; then
			echo closed
		else
			echo open
		fi
		;;
	*)
		echo "lab: unknown rule '$rule'" >&2
		return 1
		;;
	esac
}

# port_reason POLICY DAEMON RULE PROTO: what the host answers to a probe, in
# portwatch's reason words. A connect() scan sees ECONNREFUSED for both rst
# and icmp-port-unreachable (closed); a raw SYN scan sees the packet itself.
port_reason() {
	local proto=${4:-tcp}
	case $(port_state "$1" "$2" "$3") in
	open) [[ $proto == udp ]] && echo udp-response || echo syn-ack ;;
	*)
		case $3 in
		reject) echo icmp-port-unreachable ;;
		reject-admin) echo icmp-admin-prohibited ;;
		drop) echo no-response ;;
		-)
			if [[ $1 == drop ]]; then
				echo no-response
			elif [[ $proto == udp ]]; then
				echo icmp-port-unreachable
			else
				echo rst
			fi
			;;
		*) echo rst ;;
		esac
		;;
	esac
}

# rule_name POLICY RULE: the rule as truth.json names it.
rule_name() {
	case $2 in
	-) [[ $1 == drop ]] && echo policy-drop || echo "" ;;
	reject-admin) echo reject-admin-prohibited ;;
	reject-reset) echo reject-tcp-reset ;;
	*) echo "$2" ;;
	esac
}

# nft_stmt RULE: the nftables verdict that implements a rule.
nft_stmt() {
	case $1 in
	accept) echo accept ;;
	drop) echo drop ;;
	reject) echo reject ;; # icmpx port-unreachable for IPv4 and IPv6
	reject-admin) echo "reject with icmpx type admin-prohibited" ;;
	reject-reset) echo "reject with tcp reset" ;;
	-) echo "" ;;
	esac
}

# host_entries HOST [DAEMON...]: "PORT/PROTO" of every table entry of HOST,
# or of those served by one of the DAEMONs.
host_entries() {
	local want=$1 line h pp daemon rule
	shift
	for line in "${PORTS[@]}"; do
		read -r h pp daemon rule <<<"$line"
		[[ $h == "$want" ]] || continue
		if (($#)) && [[ " $* " != *" $daemon "* ]]; then continue; fi
		echo "$pp"
	done
}

# host_ports HOST [DAEMON]: the port numbers of HOST served by DAEMON ("" =
# all), both protocols.
host_ports() {
	local pp
	if [[ -n ${2:-} ]]; then
		for pp in $(host_entries "$1" "$2"); do echo "${pp%/*}"; done
	else
		for pp in $(host_entries "$1"); do echo "${pp%/*}"; done
	fi
}

# proto_ports HOST PROTO DAEMON...: the PROTO port numbers served by DAEMONs.
proto_ports() {
	local h=$1 proto=$2 pp
	shift 2
	for pp in $(host_entries "$h" "$@"); do
		if [[ ${pp#*/} == "$proto" ]]; then echo "${pp%/*}"; fi
	done
}

# port_field HOST PORT/PROTO FIELD: daemon or rule of one table entry.
port_field() {
	local line h pp daemon rule
	for line in "${PORTS[@]}"; do
		read -r h pp daemon rule <<<"$line"
		if [[ $h == "$1" && $pp == "$2" ]]; then
			case $3 in
			daemon) echo "$daemon" ;;
			rule) echo "$rule" ;;
			esac
			return 0
		fi
	done
	return 1
}

# shellcheck source=daemons.sh
source "$HERE/daemons.sh"
# shellcheck source=truth.sh
source "$HERE/truth.sh"

# --- Helpers -----------------------------------------------------------------

log() { echo "lab[$P]: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

require_root() {
	((EUID == 0)) || die "must run as root (network namespaces, nftables)"
}

# lab_namespaces: every namespace of this prefix, also stale ones from a
# previous lab with other hosts.
lab_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' |
		grep -E "^${P}-(br|scan|[hs][0-9]+)\$" || true
}

# --- down --------------------------------------------------------------------

# pid_is_lab PID: true if PID runs one of our daemons outside the root
# namespace, so that a stale pid file can never kill an unrelated process.
pid_is_lab() {
	local pid=$1 comm ns root
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
	[[ " $DAEMON_COMMS " == *" $comm "* ]] || return 1
	ns=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || return 1
	root=$(readlink /proc/self/ns/net)
	[[ $ns != "$root" ]]
}

# pid_running PID: alive and not a zombie (PID 1 here may reap slowly).
pid_running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# ancestors: this script and the processes that started it (a Go test binary
# whose thread visits a lab namespace must not be killed by its own cleanup).
ancestors() {
	local pid=$$ stat
	while [[ $pid =~ ^[0-9]+$ ]] && ((pid > 1)); do
		echo "$pid"
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
		stat=${stat##*) }
		read -r _ pid _ <<<"$stat"
	done
}

cmd_down() {
	local pids=() ns pid f i alive keep
	DAEMON_COMMS=$(daemon_comms)
	keep=" $(ancestors | tr '\n' ' ') "
	for ns in $(lab_namespaces); do
		for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
			if [[ $keep == *" $pid "* ]]; then
				log "warning: not killing pid $pid in $ns: it started this script"
				continue
			fi
			pids+=("$pid")
		done
	done
	# Daemons of this lab whose namespace name and pid files are both gone
	# (a crash, a hand-made cleanup) still carry DIR in their command line.
	local args
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		args=()
		mapfile -d '' args 2>/dev/null <"$f" || continue
		if [[ " ${args[*]}" == *[\ =]"$DIR/"* ]] && pid_is_lab "$pid"; then
			pids+=("$pid")
		fi
	done
	if [[ -d $DIR ]]; then
		while IFS= read -r f; do
			pid=$(head -n 1 "$f" 2>/dev/null | head -c 32 | tr -dc 0-9) || true
			if [[ -n $pid ]] && pid_is_lab "$pid"; then
				pids+=("$pid")
			fi
		done < <(find "$DIR" -name '*.pid' -type f 2>/dev/null)
	fi
	if ((${#pids[@]})); then
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			alive=0
			for pid in "${pids[@]}"; do
				if pid_running "$pid"; then
					alive=1
					break
				fi
			done
			((alive)) || break
			sleep 0.05
		done
		for pid in "${pids[@]}"; do
			if pid_running "$pid"; then
				log "warning: pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) ignored SIGTERM for 5 s; killing it"
				kill -KILL "$pid" 2>/dev/null || true
			fi
		done
	fi
	for ns in $(lab_namespaces); do
		ip netns delete "$ns" 2>/dev/null || log "warning: could not delete namespace $ns"
	done
	if [[ -d $DIR ]]; then
		if [[ -e $DIR/$MARKER ]]; then
			rm -rf -- "$DIR"
		else
			log "warning: $DIR was not made by lab.sh; left in place"
		fi
	fi
	return 0
}

# --- up ----------------------------------------------------------------------

add_blackholes() {
	if ! ip -4 route show type blackhole | grep -q '^blackhole 198\.18\.0\.0/15'; then
		ip route add blackhole 198.18.0.0/15 2>/dev/null ||
			ip -4 route show type blackhole | grep -q '^blackhole 198\.18\.0\.0/15' ||
			die "cannot add blackhole route 198.18.0.0/15 in the root namespace"
	fi
	if [[ -e /proc/net/if_inet6 ]]; then
		if ! ip -6 route show type blackhole | grep -q '^blackhole 2001:2::/48'; then
			ip -6 route add blackhole 2001:2::/48 2>/dev/null ||
				ip -6 route show type blackhole | grep -q '^blackhole 2001:2::/48' ||
				die "cannot add blackhole route 2001:2::/48 in the root namespace"
		fi
	fi
}

# new_ns NS [ICMP]: a namespace with lo up, no IPv6 autoconfiguration and no
# DAD. ICMP "unlimited" switches ICMP error rate limiting off (per peer and
# the namespace-wide icmp_msgs_per_sec budget, which applies only to the
# types in the ratemask); anything else keeps the kernel's defaults, which
# a new namespace starts with.
new_ns() {
	ip netns add "$1"
	nsx "$1" sysctl -qw \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0
	if [[ ${2:-unlimited} == unlimited ]]; then
		nsx "$1" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 \
			net.ipv6.icmp.ratelimit=0 "net.ipv6.icmp.ratemask="
	fi
	ip -n "$1" link set lo up
}

build_network() {
	local br scan h ns s
	br=$(ns_br)
	scan=$(ns_scan)

	# The bridge namespace: br0 only, no addresses, no IPv6, no filtering.
	ip netns add "$br"
	nsx "$br" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	if nsx "$br" test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
		nsx "$br" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
			net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
	fi
	ip -n "$br" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	ip -n "$br" link set br0 up

	# attach NS NAME: veth eth0 in NS, its peer NAME on br0.
	attach() {
		ip -n "$1" link add eth0 type veth peer name "$2" netns "$br"
		ip -n "$br" link set "$2" master br0 up
		ip -n "$1" link set eth0 up
	}

	new_ns "$scan"
	attach "$scan" scan
	for s in "${SUBNETS[@]}"; do
		ip -n "$scan" addr add "${SUBNET4[$s]}.${SCANNER_OCTET}/24" dev eth0
		ip -n "$scan" -6 addr add "${SUBNET6[$s]}:${SCANNER_OCTET}/64" dev eth0 nodad
	done

	for h in "${HOSTS[@]}"; do
		ns=$(ns_host "$h")
		new_ns "$ns" "${HOST_ICMP[$h]}"
		attach "$ns" "$h"
		ip -n "$ns" addr add "$(ip4_of "$h")/24" dev eth0
		ip -n "$ns" -6 addr add "$(ip6_of "$h")/64" dev eth0 nodad
	done
}

write_nft() {
	local h=$1 policy=${HOST_POLICY[$1]} pp rule stmt
	local nft_policy=$policy
	[[ $policy == synproxy ]] && nft_policy=accept
	{
		echo "table inet portwatch_lab {"
		if [[ $policy == synproxy ]]; then
			# SYNs bypass conntrack and meet the proxy as untracked packets;
			# the proxy answers them with cookies and drops stray ACKs.
			echo "	chain prerouting {"
			echo "		type filter hook prerouting priority raw;"
			echo "		tcp flags syn notrack"
			echo "	}"
		fi
		echo "	chain input {"
		echo "		type filter hook input priority filter; policy $nft_policy;"
		if [[ $policy == synproxy ]]; then
			echo "		ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm"
			echo "		ct state invalid drop"
		fi
		if [[ $policy == drop ]]; then
			echo "		iif \"lo\" accept"
			echo "		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept"
			echo "		ct state established,related accept"
		fi
		for pp in $(host_entries "$h"); do
			rule=$(port_field "$h" "$pp" rule)
			stmt=$(nft_stmt "$rule")
			if [[ -n $stmt ]]; then echo "		${pp#*/} dport ${pp%/*} $stmt"; fi
		done
		echo "	}"
		echo "}"
	} >"$(hdir "$h")/nftables.conf"
	nsx "$(ns_host "$h")" nft -f "$(hdir "$h")/nftables.conf"
	if [[ $policy == synproxy ]]; then
		# The proxy must see ACKs of unknown connections as invalid.
		nsx "$(ns_host "$h")" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
		nsx "$(ns_host "$h")" sysctl -qw net.ipv4.tcp_syncookies=1
	fi
}

# make_cert HOST DIR: a self-signed certificate DIR/tls.crt and key
# DIR/tls.key (ECDSA P-256: an RSA key takes seconds on a loaded machine)
# for HOST's name and addresses; every TLS daemon of the host serves it.
make_cert() {
	local h=$1 d=$2
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
		-subj "/CN=$(fqdn "$h")/O=portwatch lab" \
		-addext "subjectAltName=DNS:$(fqdn "$h"),IP:$(ip4_of "$h"),IP:$(ip6_of "$h")" \
		-keyout "$d/tls.key" -out "$d/tls.crt" 2>"$d/openssl.log" ||
		die "openssl failed for $h; log: $d/openssl.log"
}

# timed CMD...: runs CMD (under errexit: a failing command inside ends the
# subshell) and logs how long it took.
timed() {
	local t0=$EPOCHREALTIME
	"$@"
	log "$* took $(ms_since "$t0") ms"
}

# ms_since T0: milliseconds since EPOCHREALTIME was T0.
ms_since() {
	local now=$EPOCHREALTIME
	echo $(((10#${now//[.,]/} - 10#${1//[.,]/}) / 1000))
}

# start_host HOST: firewall first (a firewalled port must never be
# reachable, not even briefly), then every daemon of the host at once.
start_host() {
	local h=$1 starter pids=() names=() i rc=0
	timed write_nft "$h"
	if host_needs_cert "$h"; then
		mkdir -p "$(hdir "$h")/tls"
		timed make_cert "$h" "$(hdir "$h")/tls"
	fi
	for starter in $(host_starters "$h"); do
		timed "start_$starter" "$h" &
		pids+=($!)
		names+=("$starter")
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			log "${names[$i]} on $h failed to start"
			rc=1
		fi
	done
	return "$rc"
}

# start_all: every host at once; each host's output goes to DIR/HOST/up.log.
start_all() {
	local h pids=() i rc=0
	for h in "${HOSTS[@]}"; do
		mkdir -p "$(hdir "$h")"
		start_host "$h" >"$(hdir "$h")/up.log" 2>&1 </dev/null &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			h=${HOSTS[$i]}
			log "host $h failed to start; $(hdir "$h")/up.log:"
			tail -n 30 "$(hdir "$h")/up.log" >&2 || true
			rc=1
		fi
	done
	((rc == 0)) || die "some daemons did not start"
}

# listening NS: "PROTO ADDR:PORT USERS" for every listening TCP socket and
# bound UDP socket of NS.
listening() {
	nsx "$1" ss -Hlntup |
		sed -n 's/^\([a-z]*\) *[A-Z-]* *[0-9]* *[0-9]* *\([^ ]*\) .*users:(\([^ ]*\)).*/\1 \2 \3/p'
}

# wait_listening: every daemon listens on both addresses of its host, as
# the process that must own the socket, within 60 s (initdb and
# mariadb-install-db are slow on a loaded machine).
wait_listening() {
	local deadline=$((SECONDS + 60)) h pp daemon comm sockets missing a
	for h in "${HOSTS[@]}"; do
		while :; do
			sockets=$(listening "$(ns_host "$h")")
			missing=""
			for pp in $(host_entries "$h"); do
				daemon=$(port_field "$h" "$pp" daemon)
				if [[ $daemon == none ]]; then continue; fi
				comm=$(daemon_comm "$daemon")
				for a in "$(ip4_of "$h"):${pp%/*}" "[$(ip6_of "$h")]:${pp%/*}"; do
					if ! awk -v p="${pp#*/}" -v a="$a" -v c="\"$comm\"" \
						'$1 == p && $2 == a && index($3, c) { found = 1 } END { exit !found }' <<<"$sockets"; then
						missing="$daemon $pp"
						break 2
					fi
				done
			done
			if [[ -z $missing ]]; then
				check_stray_sockets "$h" "$sockets"
				break
			fi
			if ((SECONDS >= deadline)); then
				daemon=${missing%% *}
				log "$daemon on $h is not listening on ${missing#* } after 60 s; log $(daemon_log "$h" "$daemon"):"
				# shellcheck disable=SC2046 # globs in the log names
				tail -n 20 $(daemon_log "$h" "$daemon") >&2 2>/dev/null || true
				die "$daemon on $h did not come up"
			fi
			sleep 0.05
		done
	done
}

# check_stray_sockets HOST SOCKETS: nothing listens on HOST's addresses (or
# on a wildcard address) that the PORTS table does not list, or the truth
# would be wrong.
check_stray_sockets() {
	local h=$1 proto addr users port host daemon
	while read -r proto addr users; do
		[[ -n $proto ]] || continue
		port=${addr##*:}
		host=${addr%:*}
		case $host in
		127.* | "[::1]") continue ;;
		esac
		daemon=$(port_field "$h" "$port/$proto" daemon 2>/dev/null || true)
		if [[ -z $daemon || $daemon == none ]]; then
			die "$h: $users listens on $proto $addr, which the PORTS table does not list"
		fi
	done <<<"$2"
}

# check_isolation: the scanner and the hosts must have no default route.
check_isolation() {
	local ns
	for ns in "$(ns_scan)" $(for h in "${HOSTS[@]}"; do ns_host "$h"; done); do
		if [[ -n $(ip -n "$ns" route show default) || -n $(ip -n "$ns" -6 route show default) ]]; then
			die "namespace $ns has a default route"
		fi
	done
}

# on_up_exit: a failed or interrupted `up` leaves nothing behind (unless
# LAB_KEEP_ON_FAILURE=1, for debugging).
on_up_exit() {
	local rc=$?
	((UP_DONE)) && return 0
	if [[ ${LAB_KEEP_ON_FAILURE:-0} == 1 ]]; then
		log "up failed (exit $rc); lab left in place for inspection (LAB_KEEP_ON_FAILURE=1)"
	else
		log "up failed (exit $rc); tearing the half-built lab down"
		cmd_down
	fi
	exit "$rc"
}

# check_spec: the tables above are consistent (known subnets, unique
# addresses, one entry per host, port and protocol, known daemons and
# rules, and what each daemon can serve).
check_spec() {
	local line h pp port proto daemon rule seen=" " addrs=" " s
	for h in "${HOSTS[@]}"; do
		s=${HOST_SUBNET[$h]}
		[[ -n ${SUBNET4[$s]:-} ]] || die "HOST_TABLE: $h: unknown subnet '$s'"
		[[ ${HOST_OCTET[$h]} =~ ^[0-9]+$ ]] && ((HOST_OCTET[$h] >= 1 && HOST_OCTET[$h] <= 254)) &&
			((HOST_OCTET[$h] != SCANNER_OCTET)) || die "HOST_TABLE: $h: bad octet '${HOST_OCTET[$h]}'"
		[[ $addrs != *" $(ip4_of "$h") "* ]] || die "HOST_TABLE: $h: address $(ip4_of "$h") used twice"
		addrs+="$(ip4_of "$h") "
		[[ ${HOST_POLICY[$h]} =~ ^(accept|drop|synproxy)$ ]] || die "HOST_TABLE: $h: bad policy"
		[[ ${HOST_ICMP[$h]} =~ ^(unlimited|kernel)$ ]] || die "HOST_TABLE: $h: bad ICMP setting"
		[[ $h =~ ^[hs][0-9]+$ ]] || die "HOST_TABLE: host names are h<N> or s<N>, not '$h'"
	done
	for line in "${PORTS[@]}"; do
		read -r h pp daemon rule <<<"$line"
		port=${pp%/*} proto=${pp#*/}
		[[ -n ${HOST_OCTET[$h]:-} ]] || die "PORTS: unknown host '$h'"
		[[ $pp == */* && $proto =~ ^(tcp|udp)$ ]] || die "PORTS: '$pp' is not PORT/tcp or PORT/udp"
		[[ $port =~ ^[0-9]+$ ]] && ((port >= 1 && port <= 65535)) || die "PORTS: bad port '$port'"
		[[ $seen != *" $h/$pp "* ]] || die "PORTS: $h port $pp listed twice"
		seen+="$h/$pp "
		if [[ $daemon != none ]]; then
			[[ -n $(daemon_comm "$daemon") ]] || die "PORTS: unknown daemon '$daemon'"
			[[ " $(daemon_protos "$daemon") " == *" $proto "* ]] || die "PORTS: $daemon does not serve $proto"
		fi
		[[ $proto == tcp || $rule != reject-reset ]] || die "PORTS: reject-reset is for tcp only"
		port_state "${HOST_POLICY[$h]}" "$daemon" "$rule" >/dev/null || die "PORTS: bad rule '$rule'"
	done
	for h in "${HOSTS[@]}"; do
		check_host_daemons "$h"
	done
}

cmd_up() {
	local t0=$EPOCHREALTIME t versions phases=""
	require_root
	find_tools
	check_spec
	add_blackholes
	if [[ -n $(lab_namespaces) || -e $DIR ]]; then
		log "tearing down a previous lab first"
		cmd_down
	fi
	if [[ -e $DIR ]]; then die "$DIR exists and was not made by lab.sh"; fi
	UP_DONE=0
	trap on_up_exit EXIT
	trap 'log "interrupted"; exit 130' INT TERM HUP

	mkdir -p "$DIR"
	chmod 0755 "$DIR"
	: >"$DIR/$MARKER"
	collect_versions >"$DIR/versions" 2>"$DIR/versions.log" &
	versions=$!
	phases+="checks $(ms_since "$t0") ms"
	t=$EPOCHREALTIME
	build_network
	phases+=", network $(ms_since "$t") ms"
	t=$EPOCHREALTIME
	start_all
	phases+=", daemons $(ms_since "$t") ms"
	t=$EPOCHREALTIME
	wait_listening
	phases+=", listening $(ms_since "$t") ms"
	wait "$versions" || die "cannot read the daemons' versions; log: $DIR/versions.log"
	check_isolation
	t=$EPOCHREALTIME
	write_truth
	phases+=", truth $(ms_since "$t") ms"
	UP_DONE=1
	trap - INT TERM HUP
	log "up in $(ms_since "$t0") ms ($phases); truth: $DIR/truth.json"
}

# --- status ------------------------------------------------------------------

cmd_status() {
	local ok=1 ns h expect
	expect="$(ns_br) $(ns_scan)"
	for h in "${HOSTS[@]}"; do expect+=" $(ns_host "$h")"; done
	for ns in $expect; do
		if ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF "$ns"; then
			echo "$ns: $(ip netns pids "$ns" 2>/dev/null | wc -l) processes"
			if [[ $ns != "$(ns_br)" ]]; then
				listening "$ns" | awk '{print "  " $1 " " $2}' | sort -u
			fi
		else
			echo "$ns: missing"
			ok=0
		fi
	done
	for ns in $(lab_namespaces); do
		[[ " $expect " == *" $ns "* ]] || echo "$ns: stale (not part of this lab)"
	done
	if [[ -f $DIR/truth.json ]]; then
		echo "truth: $DIR/truth.json"
	else
		echo "truth: missing ($DIR/truth.json)"
		ok=0
	fi
	if ((ok)); then
		echo "lab $P: up"
		return 0
	fi
	echo "lab $P: not up"
	return 1
}

case ${1:-} in
up) cmd_up ;;
down)
	require_root
	cmd_down
	log "down"
	;;
status) cmd_status ;;
*)
	echo "usage: LAB_PREFIX=pw $0 up|down|status [DIR]" >&2
	exit 2
	;;
esac

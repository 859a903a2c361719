#!/usr/bin/env bash
# lab.sh: portwatch's integration lab. Network namespaces joined by a bridge,
# real daemons (sshd, nginx, redis) inside them, real nftables rules in front
# of them, and a ground truth (truth.json) generated from the same table that
# configured all of it.
#
#   lab.sh up     [DIR]   build the lab (tears a half-built one down first)
#   lab.sh down   [DIR]   destroy it; idempotent, never fails on missing parts
#   lab.sh status [DIR]   show what exists; exit 0 only if the lab is complete
#
# Env: LAB_PREFIX (default pw) prefixes every namespace (pw-br, pw-scan,
# pw-h1, ...) so that labs with different prefixes coexist. DIR defaults to
# /tmp/${LAB_PREFIX}-lab and holds every config, key, pid and log file.
#
# Network safety (see the project's network rules): before anything else `up`
# adds blackhole routes for 198.18.0.0/15 and 2001:2::/48 in the root
# namespace and leaves them there, and no lab namespace has a default route,
# so nothing addressed to the lab can ever leave the machine.
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

# --- The lab's one source of truth -------------------------------------------
# Addresses, daemon configs, nftables rules and truth.json are all generated
# from the tables below; nothing else lists ports or states.

NET4=198.18.0   # lab IPv4 /24
NET6=2001:2:    # lab IPv6 /64 is ${NET6}:/64, host N is ${NET6}:N
SCANNER_OCTET=2 # scanner 198.18.0.2 / 2001:2::2
UNASSIGNED_OCTETS=$(seq 50 59)

# Hosts: name, last octet of its addresses, input policy of its firewall.
# Policy "drop" means every port not explicitly accepted is silently dropped
# (filtered), and pings go unanswered; "accept" means ports without a rule
# answer normally (closed unless something listens).
# Policy "synproxy" puts an nftables SYN proxy in front of the whole host:
# it answers every SYN with a SYN-ACK (cookies) whatever listens behind it,
# so every port accepts connections: the wildcard host a scanner must flag.
HOSTS=(h1 h2 h3 h4)
declare -A HOST_OCTET=([h1]=11 [h2]=12 [h3]=13 [h4]=14)
declare -A HOST_POLICY=([h1]=accept [h2]=drop [h3]=accept [h4]=synproxy)

# TCP ports: "HOST PORT DAEMON RULE".
#   DAEMON  what listens there: sshd | http | https (nginx, TLS) | redis | none
#   RULE    nftables rule in front of it:
#           -             none (on a policy-drop host: dropped by the policy)
#           accept        accepted (needed on policy-drop hosts)
#           drop          silently dropped                      => filtered
#           reject        ICMP port unreachable (ECONNREFUSED)  => closed
#           reject-admin  ICMP admin-prohibited (EHOSTUNREACH)  => filtered
#           reject-reset  TCP RST                                => closed
# Daemons behind drop/reject rules are real: the rule, not a missing
# listener, makes the state.
PORTS=(
	"h1 22    sshd  -"
	"h1 80    http  -"
	"h1 443   https -"
	"h1 6379  redis -"
	"h1 8080  http  drop"
	"h1 8081  http  reject"
	"h2 22    sshd  accept"
	"h2 6379  redis -"
	"h2 8443  https accept"
	"h3 2222  sshd  -"
	"h3 3306  http  reject-reset"
	"h3 5432  http  reject-admin"
	"h3 8000  http  -"
	"h3 16379 redis -"
	"h4 22    sshd  -"
)

# --- Derived facts -----------------------------------------------------------

ns_br() { echo "${P}-br"; }
ns_scan() { echo "${P}-scan"; }
ns_host() { echo "${P}-$1"; }
ip4_of() { echo "${NET4}.${HOST_OCTET[$1]}"; }
ip6_of() { echo "${NET6}:${HOST_OCTET[$1]}"; }
hdir() { echo "$DIR/$1"; }

# port_state POLICY DAEMON RULE: the state a connect() scan must see.
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

# port_reason POLICY DAEMON RULE: what the host answers to a SYN, in
# portwatch's reason words. A connect() scan sees ECONNREFUSED for both rst and
# icmp-port-unreachable (closed); a raw SYN scan sees the packet itself.
port_reason() {
	case $(port_state "$@") in
	open) echo syn-ack ;;
	*)
		case $3 in
		reject) echo icmp-port-unreachable ;;
		reject-admin) echo icmp-admin-prohibited ;;
		drop) echo no-response ;;
		-) [[ $1 == drop ]] && echo no-response || echo rst ;;
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

service_of() {
	case $1 in
	sshd) echo ssh ;;
	http) echo http ;;
	https) echo https ;;
	redis) echo redis ;;
	*) echo "" ;;
	esac
}

# host_ports HOST DAEMON: the ports of HOST served by DAEMON ("" = all).
host_ports() {
	local line h port daemon rule
	for line in "${PORTS[@]}"; do
		read -r h port daemon rule <<<"$line"
		[[ $h == "$1" ]] || continue
		[[ -z ${2:-} || $daemon == "$2" ]] || continue
		echo "$port"
	done
}

# port_field HOST PORT FIELD: daemon or rule of one table entry.
port_field() {
	local line h port daemon rule
	for line in "${PORTS[@]}"; do
		read -r h port daemon rule <<<"$line"
		if [[ $h == "$1" && $port == "$2" ]]; then
			case $3 in
			daemon) echo "$daemon" ;;
			rule) echo "$rule" ;;
			esac
			return 0
		fi
	done
	return 1
}

# Versions come from the installed binaries, so truth.json says what a
# version scan should find.
version_sshd() {
	local v
	v=$(dpkg-query -W -f '${Version}' openssh-server 2>/dev/null || true)
	if [[ -n $v ]]; then
		v=${v#*:}
		echo "${v%%-*}"
	else
		ssh -V 2>&1 | sed -n 's/^OpenSSH_\([^ ,]*\).*/\1/p'
	fi
}
version_nginx() { "$NGINX" -v 2>&1 | sed -n 's|.*nginx/\([^ ]*\).*|\1|p'; }
version_redis() { "$REDIS" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'; }

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

find_tools() {
	local missing=() t
	for t in ip nft ss sysctl ssh-keygen openssl timeout; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	SSHD=$(command -v sshd || echo /usr/sbin/sshd)
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	REDIS=$(command -v redis-server || echo /usr/bin/redis-server)
	[[ -x $SSHD ]] || missing+=(sshd)
	[[ -x $NGINX ]] || missing+=(nginx)
	[[ -x $REDIS ]] || missing+=(redis-server)
	if ((${#missing[@]})); then
		die "missing commands: ${missing[*]} (run scripts/install-deps.sh as root)"
	fi
}

require_root() {
	((EUID == 0)) || die "must run as root (network namespaces, nftables)"
}

# lab_namespaces: every namespace of this prefix, also stale ones from a
# previous lab with other hosts.
lab_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' |
		grep -E "^${P}-(br|scan|h[0-9]+)\$" || true
}

# --- down --------------------------------------------------------------------

# pid_is_lab PID: true if PID runs one of our daemons outside the root
# namespace, so that a stale pid file can never kill an unrelated process.
pid_is_lab() {
	local pid=$1 comm ns root
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	case $comm in sshd | nginx | redis-server) ;; *) return 1 ;; esac
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
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		if [[ $(tr '\0' ' ' 2>/dev/null <"$f") == *" $DIR/"* ]] && pid_is_lab "$pid"; then
			pids+=("$pid")
		fi
	done
	if [[ -d $DIR ]]; then
		while IFS= read -r f; do
			pid=$(head -c 32 "$f" 2>/dev/null | tr -dc 0-9) || true
			if [[ -n $pid ]] && pid_is_lab "$pid"; then
				pids+=("$pid")
			fi
		done < <(find "$DIR" -name '*.pid' -type f 2>/dev/null)
	fi
	if ((${#pids[@]})); then
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			alive=0
			for pid in "${pids[@]}"; do
				if pid_running "$pid"; then
					alive=1
					break
				fi
			done
			((alive)) || break
			sleep 0.1
		done
		for pid in "${pids[@]}"; do
			if pid_running "$pid"; then
				log "warning: pid $pid ignored SIGTERM; killing it"
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

# new_ns NS: a namespace with lo up, no IPv6 autoconfiguration, no DAD, and
# no per-destination ICMP rate limit, so that every rejected probe gets its
# ICMP error and the truth holds however fast a scanner probes.
new_ns() {
	ip netns add "$1"
	nsx "$1" sysctl -qw \
		net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0
	ip -n "$1" link set lo up
}

build_network() {
	local br scan h ns
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
	ip -n "$scan" addr add "${NET4}.${SCANNER_OCTET}/24" dev eth0
	ip -n "$scan" -6 addr add "${NET6}:${SCANNER_OCTET}/64" dev eth0 nodad

	for h in "${HOSTS[@]}"; do
		ns=$(ns_host "$h")
		new_ns "$ns"
		attach "$ns" "$h"
		ip -n "$ns" addr add "$(ip4_of "$h")/24" dev eth0
		ip -n "$ns" -6 addr add "$(ip6_of "$h")/64" dev eth0 nodad
	done
}

write_nft() {
	local h=$1 policy=${HOST_POLICY[$1]} port rule stmt
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
		for port in $(host_ports "$h"); do
			rule=$(port_field "$h" "$port" rule)
			stmt=$(nft_stmt "$rule")
			if [[ -n $stmt ]]; then echo "		tcp dport $port $stmt"; fi
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

start_sshd() {
	local h=$1 d port
	d=$(hdir "$h")/sshd
	mkdir -p "$d"
	ssh-keygen -q -t ed25519 -N '' -C "portwatch-lab-$h" -f "$d/ssh_host_ed25519_key"
	ssh-keygen -q -t ecdsa -N '' -C "portwatch-lab-$h" -f "$d/ssh_host_ecdsa_key"
	{
		for port in $(host_ports "$h" sshd); do
			echo "ListenAddress $(ip4_of "$h"):$port"
			echo "ListenAddress [$(ip6_of "$h")]:$port"
		done
		echo "HostKey $d/ssh_host_ed25519_key"
		echo "HostKey $d/ssh_host_ecdsa_key"
		echo "PidFile $d/sshd.pid"
		# Nobody may log in: these sshds see the machine's real users.
		echo "DenyUsers *"
		echo "PermitRootLogin no"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "AuthorizedKeysFile none"
		echo "UsePAM no"
		echo "X11Forwarding no"
		echo "AllowTcpForwarding no"
		echo "PrintMotd no"
	} >"$d/sshd_config"
	# sshd insists on its privilege-separation directory (compiled-in path).
	mkdir -p /run/sshd
	nsx "$(ns_host "$h")" "$SSHD" -f "$d/sshd_config" -E "$d/sshd.log" ||
		die "sshd on $h failed to start; log: $d/sshd.log"
}

make_cert() {
	local h=$1 d=$2
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
		-subj "/CN=$h.portwatch.lab/O=portwatch lab" \
		-addext "subjectAltName=DNS:$h.portwatch.lab,IP:$(ip4_of "$h"),IP:$(ip6_of "$h")" \
		-keyout "$d/tls.key" -out "$d/tls.crt" 2>"$d/openssl.log" ||
		die "openssl failed for $h; log: $d/openssl.log"
}

start_nginx() {
	local h=$1 d port tls=0 m
	d=$(hdir "$h")/nginx
	mkdir -p "$d/tmp"
	if [[ -n $(host_ports "$h" https) ]]; then
		tls=1
		make_cert "$h" "$d"
	fi
	{
		echo "daemon on;"
		echo "master_process on;"
		echo "worker_processes 1;"
		echo "user www-data;"
		echo "pid $d/nginx.pid;"
		echo "error_log $d/error.log info;"
		echo "events { worker_connections 128; }"
		echo "http {"
		echo "	access_log $d/access.log;"
		# Temp paths of the compiled-in modules, so nothing lands in /var/lib.
		for m in client_body proxy fastcgi uwsgi scgi; do
			if [[ $m == client_body ]] || ! "$NGINX" -V 2>&1 | grep -q -- "--without-http_${m}_module"; then
				echo "	${m}_temp_path $d/tmp/$m;"
			fi
		done
		echo "	default_type text/plain;"
		echo "	server {"
		for port in $(host_ports "$h" http); do
			echo "		listen $(ip4_of "$h"):$port;"
			echo "		listen [$(ip6_of "$h")]:$port;"
		done
		for port in $(host_ports "$h" https); do
			echo "		listen $(ip4_of "$h"):$port ssl;"
			echo "		listen [$(ip6_of "$h")]:$port ssl;"
		done
		if ((tls)); then
			echo "		ssl_certificate $d/tls.crt;"
			echo "		ssl_certificate_key $d/tls.key;"
		fi
		echo "		location / { return 200 \"portwatch lab $h\\n\"; }"
		echo "	}"
		echo "}"
	} >"$d/nginx.conf"
	nsx "$(ns_host "$h")" "$NGINX" -e "$d/error.log" -p "$d/" -c "$d/nginx.conf" ||
		die "nginx on $h failed to start; log: $d/error.log"
}

start_redis() {
	local h=$1 d port
	port=$(host_ports "$h" redis)
	[[ $(wc -w <<<"$port") == 1 ]] || die "one redis port per host ($h: $port)"
	d=$(hdir "$h")/redis
	mkdir -p "$d"
	cat >"$d/redis.conf" <<-EOF
		bind $(ip4_of "$h") $(ip6_of "$h")
		port $port
		protected-mode no
		daemonize yes
		supervised no
		pidfile $d/redis.pid
		logfile $d/redis.log
		dir $d
		save ""
		appendonly no
		proc-title-template "{title} {config-file}"
	EOF
	nsx "$(ns_host "$h")" "$REDIS" "$d/redis.conf" ||
		die "redis on $h failed to start; log: $d/redis.log"
}

start_host() {
	local h=$1
	mkdir -p "$(hdir "$h")"
	# Rules first: a firewalled port must never be reachable, not even briefly.
	write_nft "$h"
	if [[ -n $(host_ports "$h" sshd) ]]; then start_sshd "$h"; fi
	if [[ -n $(host_ports "$h" http)$(host_ports "$h" https) ]]; then start_nginx "$h"; fi
	if [[ -n $(host_ports "$h" redis) ]]; then start_redis "$h"; fi
}

# daemon_comm DAEMON: the process name that must own the listening socket.
daemon_comm() {
	case $1 in
	sshd) echo sshd ;;
	http | https) echo nginx ;;
	redis) echo redis-server ;;
	esac
}

daemon_log() {
	case $2 in
	sshd) echo "$(hdir "$1")/sshd/sshd.log" ;;
	http | https) echo "$(hdir "$1")/nginx/error.log" ;;
	redis) echo "$(hdir "$1")/redis/redis.log" ;;
	esac
}

# wait_listening: every daemon listens on both its addresses, within 15 s.
wait_listening() {
	local deadline=$((SECONDS + 15)) h port daemon comm listening missing
	for h in "${HOSTS[@]}"; do
		while :; do
			# "ADDR:PORT COMMAND" for every listening socket.
			listening=$(nsx "$(ns_host "$h")" ss -Hltnp |
				sed -n 's/^[^ ]* *[0-9]* *[0-9]* *\([^ ]*\) .*users:(("\([^"]*\)".*/\1 \2/p')
			missing=""
			for port in $(host_ports "$h"); do
				daemon=$(port_field "$h" "$port" daemon)
				if [[ $daemon == none ]]; then continue; fi
				comm=$(daemon_comm "$daemon")
				if ! grep -qxF "$(ip4_of "$h"):$port $comm" <<<"$listening" ||
					! grep -qxF "[$(ip6_of "$h")]:$port $comm" <<<"$listening"; then
					missing="$daemon:$port"
					break
				fi
			done
			if [[ -z $missing ]]; then break; fi
			if ((SECONDS >= deadline)); then
				daemon=${missing%%:*}
				log "$daemon on $h is not listening on port ${missing#*:} after 15 s; log $(daemon_log "$h" "$daemon"):"
				tail -n 20 "$(daemon_log "$h" "$daemon")" >&2 2>/dev/null || true
				die "$daemon on $h did not come up"
			fi
			sleep 0.05
		done
	done
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

json_list() {
	local first=1 x
	printf '['
	for x in "$@"; do
		((first)) || printf ','
		first=0
		printf '"%s"' "$x"
	done
	printf ']'
}

write_truth() {
	local h port daemon rule policy state service name firsth=1 firstp
	local v_sshd v_nginx v_redis product version unassigned=() unassigned6=() o
	v_sshd=$(version_sshd)
	v_nginx=$(version_nginx)
	v_redis=$(version_redis)
	for o in $UNASSIGNED_OCTETS; do
		unassigned+=("${NET4}.$o")
		unassigned6+=("${NET6}:$o")
	done
	{
		printf '{"prefix":"%s","dir":"%s",' "$P" "$DIR"
		printf '"scanner_netns":"%s","scanner_ipv4":"%s","scanner_ipv6":"%s",' \
			"$(ns_scan)" "${NET4}.${SCANNER_OCTET}" "${NET6}:${SCANNER_OCTET}"
		printf '"hosts":['
		for h in "${HOSTS[@]}"; do
			policy=${HOST_POLICY[$h]}
			((firsth)) || printf ','
			firsth=0
			printf '{"name":"%s","netns":"%s","ipv4":"%s","ipv6":"%s",' \
				"$h" "$(ns_host "$h")" "$(ip4_of "$h")" "$(ip6_of "$h")"
			if [[ $policy == drop ]]; then
				printf '"default_tcp":"filtered","default_tcp_reason":"no-response","ping":false,"tcp":{'
			elif [[ $policy == synproxy ]]; then
				printf '"wildcard":true,"default_tcp":"open","default_tcp_reason":"syn-ack","ping":true,"tcp":{'
			else
				printf '"default_tcp":"closed","default_tcp_reason":"rst","ping":true,"tcp":{'
			fi
			firstp=1
			for port in $(host_ports "$h"); do
				daemon=$(port_field "$h" "$port" daemon)
				rule=$(port_field "$h" "$port" rule)
				state=$(port_state "$policy" "$daemon" "$rule")
				name=$(rule_name "$policy" "$rule")
				((firstp)) || printf ','
				firstp=0
				printf '"%s":{"state":"%s","reason":"%s"' "$port" "$state" \
					"$(port_reason "$policy" "$daemon" "$rule")"
				if [[ $state == open ]]; then
					service=$(service_of "$daemon")
					case $daemon in
					sshd) product=OpenSSH version=$v_sshd ;;
					http | https) product=nginx version=$v_nginx ;;
					redis) product=Redis version=$v_redis ;;
					esac
					printf ',"service":"%s","product":"%s","version":"%s"' "$service" "$product" "$version"
					if [[ $daemon == https ]]; then printf ',"tls":true'; fi
				fi
				if [[ -n $name ]]; then printf ',"rule":"%s"' "$name"; fi
				printf '}'
			done
			printf '}}'
		done
		printf '],"unassigned":%s,"unassigned_ipv6":%s}\n' \
			"$(json_list "${unassigned[@]}")" "$(json_list "${unassigned6[@]}")"
	} >"$DIR/truth.json.tmp"
	mv "$DIR/truth.json.tmp" "$DIR/truth.json"
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

# check_spec: the tables above are consistent (one entry per host and port,
# known hosts, daemons and rules).
check_spec() {
	local line h port daemon rule seen=" "
	for line in "${PORTS[@]}"; do
		read -r h port daemon rule <<<"$line"
		[[ -n ${HOST_OCTET[$h]:-} ]] || die "PORTS: unknown host '$h'"
		[[ $port =~ ^[0-9]+$ ]] && ((port >= 1 && port <= 65535)) || die "PORTS: bad port '$port'"
		[[ $seen != *" $h/$port "* ]] || die "PORTS: $h port $port listed twice"
		seen+="$h/$port "
		[[ -n $(daemon_comm "$daemon") || $daemon == none ]] || die "PORTS: unknown daemon '$daemon'"
		port_state "${HOST_POLICY[$h]}" "$daemon" "$rule" >/dev/null || die "PORTS: bad rule '$rule'"
	done
}

cmd_up() {
	local t0=$SECONDS h
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
	build_network
	for h in "${HOSTS[@]}"; do
		start_host "$h"
	done
	wait_listening
	check_isolation
	write_truth
	UP_DONE=1
	trap - INT TERM HUP
	log "up in $((SECONDS - t0)) s; truth: $DIR/truth.json"
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
				nsx "$ns" ss -Hltn | awk '{print "  listen " $4}' | sort -u
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

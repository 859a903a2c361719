# daemons.sh: the lab's daemons, sourced by lab.sh. What each kind of
# daemon is (process, service, product, TLS, whether its version shows on
# the wire), how to start it inside a host's namespace with every file of
# its own under DIR, and how to read its version from the installed binary.
# Which daemon serves which port of which host is in lab.sh's PORTS table;
# nothing here lists ports.
# shellcheck shell=bash

# Daemon kinds: "KIND COMM PROTOS SERVICE PRODUCT SECURITY WIRE STARTER".
#   COMM      the process name that must own the listening socket
#   PROTOS    the protocols the kind can serve (tcp, udp or tcp+udp)
#   SERVICE   service name in truth.json
#   PRODUCT   product name in truth.json
#   SECURITY  tls: TLS from the first byte; starttls: plain, offers an
#             upgrade to TLS (STARTTLS, STLS, SSLRequest, CLIENT_SSL); -: none
#   WIRE      yes: the version shows on the wire without logging in (banner,
#             greeting, version query), so truth.json gives it as "version";
#             no: only "installed_version" is given
#   STARTER   start_STARTER HOST starts the one process (or pair) that
#             serves every port of the kinds sharing that starter
DAEMON_KINDS=(
	"sshd      sshd         tcp     ssh        OpenSSH    -        yes sshd"
	"http      nginx        tcp     http       nginx      -        yes nginx"
	"https     nginx        tcp     https      nginx      tls      yes nginx"
	"redis     redis-server tcp     redis      Redis      -        yes redis"
	"dns       dnsmasq      tcp+udp domain     dnsmasq    -        yes dnsmasq"
	"snmp      snmpd        udp     snmp       Net-SNMP   -        no  snmpd"
	"ntp       chronyd      udp     ntp        chrony     -        no  chronyd"
	"memcached memcached    tcp+udp memcached  memcached  -        yes memcached"
	"postgres  postgres     tcp     postgresql PostgreSQL starttls no  postgres"
	"mariadb   mariadbd     tcp     mysql      MariaDB    starttls yes mariadb"
	"ftp       vsftpd       tcp     ftp        vsftpd     -        yes vsftpd"
	"smtp      exim4        tcp     smtp       Exim       starttls yes exim"
	"imap      dovecot      tcp     imap       Dovecot    starttls no  dovecot"
	"imaps     dovecot      tcp     imaps      Dovecot    tls      no  dovecot"
	"pop3      dovecot      tcp     pop3       Dovecot    starttls no  dovecot"
	"pop3s     dovecot      tcp     pop3s      Dovecot    tls      no  dovecot"
	"mqtt      mosquitto    tcp     mqtt       Mosquitto  -        yes mosquitto"
	"nats      nats-server  tcp     nats       NATS       -        yes nats"
)

# Starters in the order a host starts them (all at once, slowest first).
STARTERS=(mariadb postgres sshd nginx redis dnsmasq snmpd chronyd memcached vsftpd exim dovecot mosquitto nats)

NTP_STRATUM=8        # chronyd serves its own clock as this stratum
SNMP_COMMUNITY=public # read-only, for the lab networks only

# daemon_field KIND N: column N (2..8) of KIND's row in DAEMON_KINDS.
daemon_field() {
	local line f
	for line in "${DAEMON_KINDS[@]}"; do
		if [[ ${line%% *} == "$1" ]]; then
			read -ra f <<<"$line"
			echo "${f[$2 - 1]}"
			return 0
		fi
	done
	return 1
}
daemon_comm() { daemon_field "$1" 2 || true; }
daemon_protos() { daemon_field "$1" 3 | tr + ' '; }
daemon_service() { daemon_field "$1" 4; }
daemon_product() { daemon_field "$1" 5; }
daemon_security() { daemon_field "$1" 6; }
daemon_wire_version() { daemon_field "$1" 7; }
daemon_starter() { daemon_field "$1" 8; }

# daemon_comms: every process name a lab daemon runs as.
daemon_comms() {
	local line f
	for line in "${DAEMON_KINDS[@]}"; do
		read -ra f <<<"$line"
		echo -n "${f[1]} "
	done
}

# kinds_of STARTER: the daemon kinds a starter serves.
kinds_of() {
	local line
	for line in "${DAEMON_KINDS[@]}"; do
		if [[ ${line##* } == "$1" ]]; then echo "${line%% *}"; fi
	done
}

# host_starters HOST: the starters HOST needs, in STARTERS order.
host_starters() {
	local s
	for s in "${STARTERS[@]}"; do
		# shellcheck disable=SC2046
		if [[ -n $(host_entries "$1" $(kinds_of "$s")) ]]; then echo "$s"; fi
	done
}

# host_needs_cert HOST: true if a daemon of HOST speaks TLS.
host_needs_cert() {
	local pp
	for pp in $(host_entries "$1"); do
		case $(daemon_security "$(port_field "$1" "$pp" daemon)" 2>/dev/null || true) in
		tls | starttls) return 0 ;;
		esac
	done
	return 1
}

# daemon_log HOST KIND: the log file(s) to show when KIND does not come up.
daemon_log() {
	local d
	d=$(hdir "$1")
	case $(daemon_starter "$2") in
	sshd) echo "$d/sshd/sshd.log" ;;
	nginx) echo "$d/nginx/error.log" ;;
	redis) echo "$d/redis/redis.log" ;;
	dnsmasq) echo "$d/dnsmasq/dnsmasq.log" ;;
	snmpd) echo "$d/snmpd/snmpd.log" ;;
	chronyd) echo "$d/chrony/chronyd.log" ;;
	postgres) echo "$d/postgres/*.log" ;;
	mariadb) echo "$d/mariadb/*.log" ;;
	vsftpd) echo "$d/vsftpd/vsftpd.log" ;;
	exim) echo "$d/exim/log/mainlog $d/exim/log/paniclog" ;;
	dovecot) echo "$d/dovecot/dovecot.log" ;;
	mosquitto) echo "$d/mosquitto/mosquitto.log" ;;
	nats) echo "$d/nats/*.log" ;;
	*) echo "$d/up.log" ;;
	esac
}

# check_host_daemons HOST: what each daemon can serve on one host.
check_host_daemons() {
	local h=$1 k n
	one_port() { # one_port KIND...: the kinds serve one port number at most
		n=$(host_ports "$h" "$1" | sort -u | wc -l)
		((n <= 1)) || die "PORTS: $h: $1 serves one port, not $n"
	}
	for k in redis mariadb ftp nats snmp ntp dns imap imaps pop3 pop3s; do
		one_port "$k"
	done
	if [[ -n $(host_entries "$h" dns) ]]; then
		[[ -n $(proto_ports "$h" udp dns) && -n $(proto_ports "$h" tcp dns) ]] ||
			die "PORTS: $h: dnsmasq serves its port over udp and tcp: list both"
	fi
	if [[ -n $(host_entries "$h" memcached) ]]; then
		(($(proto_ports "$h" tcp memcached | wc -l) == 1)) ||
			die "PORTS: $h: memcached needs exactly one tcp port"
		(($(proto_ports "$h" udp memcached | wc -l) <= 1)) ||
			die "PORTS: $h: memcached serves one udp port at most"
	fi
}

# --- Tools and versions ------------------------------------------------------

find_tools() {
	local missing=() t
	for t in ip nft ss sysctl ssh-keygen openssl timeout setpriv setsid; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	bin() { command -v "$1" 2>/dev/null || echo "/usr/sbin/$1"; }
	SSHD=$(bin sshd)
	NGINX=$(bin nginx)
	REDIS=$(bin redis-server)
	DNSMASQ=$(bin dnsmasq)
	SNMPD=$(bin snmpd)
	CHRONYD=$(bin chronyd)
	MEMCACHED=$(bin memcached)
	MARIADBD=$(bin mariadbd)
	MARIADB_INSTALL_DB=$(bin mariadb-install-db)
	VSFTPD=$(bin vsftpd)
	EXIM=$(bin exim4)
	DOVECOT=$(bin dovecot)
	MOSQUITTO=$(bin mosquitto)
	NATS=$(bin nats-server)
	for t in SSHD NGINX REDIS DNSMASQ SNMPD CHRONYD MEMCACHED MARIADBD MARIADB_INSTALL_DB \
		VSFTPD EXIM DOVECOT MOSQUITTO NATS; do
		[[ -x ${!t} ]] || missing+=("$(basename "${!t}")")
	done
	# PostgreSQL's server binaries are not on PATH; take the newest major.
	PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
	[[ -n $PG_BIN && -x $PG_BIN/postgres && -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] ||
		missing+=("postgres (/usr/lib/postgresql/*/bin)")
	if ((${#missing[@]})); then
		die "missing commands: ${missing[*]} (run scripts/install-deps.sh as root)"
	fi
}

# Versions come from the installed binaries, so truth.json says what runs.
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
version_dnsmasq() { "$DNSMASQ" --version | sed -n '1s/^Dnsmasq version \([^ ]*\).*/\1/p'; }
version_snmpd() { "$SNMPD" -v | sed -n 's/^NET-SNMP version: *\([^ ]*\).*/\1/p'; }
version_chronyd() { "$CHRONYD" -v | sed -n '1s/.* version \([^ ]*\).*/\1/p'; }
version_memcached() { "$MEMCACHED" -V | sed -n '1s/^memcached \([^ ]*\).*/\1/p'; }
version_postgres() { "$PG_BIN/postgres" --version | sed -n '1s/^postgres (PostgreSQL) \([^ ]*\).*/\1/p'; }
version_mariadb() { "$MARIADBD" --version | sed -n '1s/.* Ver \([0-9.]*\)-MariaDB.*/\1/p'; }
version_vsftpd() { "$VSFTPD" -v 0>&1 2>/dev/null | sed -n '1s/.*version \([^ ]*\).*/\1/p'; } # prints to fd 0
version_exim() { "$EXIM" -bV 2>/dev/null | sed -n '1s/^Exim version \([^ ]*\).*/\1/p'; }
version_dovecot() { "$DOVECOT" --version | sed -n '1s/^\([^ ]*\).*/\1/p'; }
version_mosquitto() { "$MOSQUITTO" -h 2>/dev/null | sed -n '1s/^mosquitto version \([^ ]*\).*/\1/p'; }
version_nats() { "$NATS" --version | sed -n '1s/.* v\([^ ]*\).*/\1/p'; }

# nsx_as USER NS CMD...: CMD in namespace NS as USER (and USER's groups),
# without a shell or a PAM session in between.
nsx_as() {
	local user=$1 ns=$2
	shift 2
	ip netns exec "$ns" setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
}

# own_dir HOST NAME [USER]: a fresh directory DIR/HOST/NAME owned by USER.
own_dir() {
	local d
	d=$(hdir "$1")/$2
	mkdir -p "$d"
	if [[ -n ${3:-} ]]; then chown "$3:$(id -g "$3")" "$d"; fi
	echo "$d"
}

# copy_cert HOST DIR [USER]: the host's certificate and key into DIR, the
# key readable by USER only.
copy_cert() {
	local src
	src=$(hdir "$1")/tls
	install -m 0644 "$src/tls.crt" "$2/tls.crt"
	if [[ -n ${3:-} ]]; then
		install -m 0600 -o "$3" "$src/tls.key" "$2/tls.key"
	else
		install -m 0600 "$src/tls.key" "$2/tls.key"
	fi
}

# --- Starters ----------------------------------------------------------------
# start_X HOST: starts daemon X in HOST's namespace, bound to HOST's two
# addresses only, with config, pid, log and data files under DIR/HOST/X.
# Each either daemonizes or is started in the background; lab.sh waits for
# the sockets.

start_sshd() {
	local h=$1 d port
	d=$(own_dir "$h" sshd)
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

start_nginx() {
	local h=$1 d port m tls=0
	d=$(own_dir "$h" nginx)
	mkdir -p "$d/tmp"
	if [[ -n $(host_ports "$h" https) ]]; then
		tls=1
		copy_cert "$h" "$d"
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
	d=$(own_dir "$h" redis)
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

# dnsmasq: DNS over UDP and TCP, authoritative-style for the lab zone (every
# lab host's name with both addresses, and their PTRs), REFUSED for the
# rest, version.bind in CHAOS as every dnsmasq answers it.
start_dnsmasq() {
	local h=$1 d o
	d=$(own_dir "$h" dnsmasq)
	{
		echo "port=$(proto_ports "$h" udp dns)"
		echo "listen-address=$(ip4_of "$h")"
		echo "listen-address=$(ip6_of "$h")"
		echo "bind-interfaces"
		echo "no-resolv"
		echo "no-hosts"
		echo "no-poll"
		echo "local=/$DNS_ZONE/"
		echo "domain=$DNS_ZONE"
		for o in "${HOSTS[@]}"; do
			echo "host-record=$(fqdn "$o"),$(ip4_of "$o"),$(ip6_of "$o")"
		done
		echo "log-facility=$d/dnsmasq.log"
		echo "pid-file=$d/dnsmasq.pid"
		echo "user=dnsmasq"
	} >"$d/dnsmasq.conf"
	nsx "$(ns_host "$h")" "$DNSMASQ" --conf-file="$d/dnsmasq.conf" ||
		die "dnsmasq on $h failed to start; log: $d/dnsmasq.log"
}

snmp_sysdescr() { echo "portwatch lab $(fqdn "$1"): Linux with Net-SNMP"; }

# snmpd: SNMPv1/v2c, community public read-only from the lab networks, no
# MIB files read (-C: no system config; MIBS empty), no SMUX (it would listen
# on TCP 199 of every address).
start_snmpd() {
	local h=$1 d port
	d=$(own_dir "$h" snmpd)
	port=$(proto_ports "$h" udp snmp)
	mkdir -p "$d/persist"
	chown Debian-snmp: "$d/persist" 2>/dev/null || true
	cat >"$d/snmpd.conf" <<-EOF
		agentAddress udp:$(ip4_of "$h"):$port,udp6:[$(ip6_of "$h")]:$port
		rocommunity $SNMP_COMMUNITY 198.18.0.0/15
		rocommunity6 $SNMP_COMMUNITY 2001:2::/48
		sysDescr $(snmp_sysdescr "$h")
		sysName $(fqdn "$h")
		sysLocation portwatch lab
		sysContact lab@$DNS_ZONE
		sysServices 72
	EOF
	local user=()
	if id Debian-snmp >/dev/null 2>&1; then user=(-u Debian-snmp -g Debian-snmp); fi
	nsx "$(ns_host "$h")" env SNMP_PERSISTENT_DIR="$d/persist" MIBS= MIBDIRS="$d/mibs" \
		"$SNMPD" -C -c "$d/snmpd.conf" -I -smux -Lf "$d/snmpd.log" -p "$d/snmpd.pid" "${user[@]}" ||
		die "snmpd on $h failed to start; log: $d/snmpd.log"
}

# chronyd: an NTP server that serves its own clock (local stratum) and never
# touches the system clock (-x); no command socket.
start_chronyd() {
	local h=$1 d
	d=$(own_dir "$h" chrony _chrony)
	cat >"$d/chrony.conf" <<-EOF
		port $(proto_ports "$h" udp ntp)
		bindaddress $(ip4_of "$h")
		bindaddress $(ip6_of "$h")
		allow 198.18.0.0/15
		allow 2001:2::/48
		local stratum $NTP_STRATUM
		cmdport 0
		bindcmdaddress /
		pidfile $d/chronyd.pid
		logdir $d
	EOF
	nsx "$(ns_host "$h")" "$CHRONYD" -x -u _chrony -f "$d/chrony.conf" -l "$d/chronyd.log" ||
		die "chronyd on $h failed to start; log: $d/chronyd.log"
}

# memcached: TCP and (if listed) UDP, the latter as memcached frames it.
start_memcached() {
	local h=$1 d udp
	d=$(own_dir "$h" memcached memcache)
	udp=$(proto_ports "$h" udp memcached)
	nsx "$(ns_host "$h")" "$MEMCACHED" -d -u memcache -m 16 -c 256 \
		-l "$(ip4_of "$h"),[$(ip6_of "$h")]" -p "$(proto_ports "$h" tcp memcached)" -U "${udp:-0}" \
		-P "$d/memcached.pid" >"$d/memcached.log" 2>&1 ||
		die "memcached on $h failed to start; log: $d/memcached.log"
}

# postgres: one cluster per port. initdb runs once; further clusters are
# copies of the fresh one. TLS offered (SSLRequest), scram-sha-256 for every
# host connection, and no role has a password: nobody can log in.
start_postgres() {
	local h=$1 d ports port first data
	d=$(own_dir "$h" postgres postgres)
	copy_cert "$h" "$d" postgres
	ports=($(host_ports "$h" postgres))
	first=$d/data-${ports[0]}
	(cd "$d" && nsx_as postgres "$(ns_host "$h")" "$PG_BIN/initdb" -D "$first" -U postgres \
		--auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
		--no-sync --no-instructions >"$d/initdb.log" 2>&1) ||
		die "initdb on $h failed; log: $d/initdb.log"
	for port in "${ports[@]:1}"; do
		cp -a "$first" "$d/data-$port"
	done
	for port in "${ports[@]}"; do
		data=$d/data-$port
		cat >>"$data/postgresql.conf" <<-EOF

			# portwatch lab
			listen_addresses = '$(ip4_of "$h"),$(ip6_of "$h")'
			port = $port
			unix_socket_directories = '$d'
			ssl = on
			ssl_cert_file = '$d/tls.crt'
			ssl_key_file = '$d/tls.key'
			shared_buffers = 16MB
			max_connections = 40
			fsync = off
			synchronous_commit = off
			full_page_writes = off
			logging_collector = off
		EOF
		cat >"$data/pg_hba.conf" <<-EOF
			local all postgres peer
			host all all 198.18.0.0/15 scram-sha-256
			host all all 2001:2::/48 scram-sha-256
		EOF
		(cd "$d" && nsx_as postgres "$(ns_host "$h")" "$PG_BIN/pg_ctl" -D "$data" \
			-l "$d/postgres-$port.log" -W start >>"$d/pg_ctl.log" 2>&1) ||
			die "postgres on $h port $port failed to start; log: $d/postgres-$port.log"
	done
}

# mariadb: its own datadir from mariadb-install-db (--rpm: it leaves the
# system's plugin directory alone), small InnoDB files, no fsync. A lab
# user with a random password for each lab network makes the server greet
# scanners with its handshake (version, capabilities incl. TLS) instead of
# "host not allowed"; max_connect_errors is high so scans never get the
# scanner blocked.
start_mariadb() {
	local h=$1 d common
	d=$(own_dir "$h" mariadb mysql)
	copy_cert "$h" "$d" mysql
	common=(--innodb-log-file-size=4M --innodb-buffer-pool-size=8M --innodb-flush-log-at-trx-commit=0
		--innodb-doublewrite=0 --innodb-flush-method=nosync --innodb-data-file-path=ibdata1:4M:autoextend
		--skip-log-bin)
	nsx "$(ns_host "$h")" "$MARIADB_INSTALL_DB" --no-defaults --rpm --datadir="$d/data" --user=mysql \
		--auth-root-authentication-method=socket --skip-test-db --skip-name-resolve "${common[@]}" \
		>"$d/install-db.log" 2>&1 || die "mariadb-install-db on $h failed; log: $d/install-db.log"
	{
		echo "CREATE USER IF NOT EXISTS 'portwatch'@'198.18.%' IDENTIFIED BY '$(openssl rand -hex 16)';"
		echo "CREATE USER IF NOT EXISTS 'portwatch'@'2001:2:%' IDENTIFIED BY '$(openssl rand -hex 16)';"
	} >"$d/init.sql"
	chown mysql "$d/init.sql"
	chmod 0600 "$d/init.sql"
	nsx "$(ns_host "$h")" setsid "$MARIADBD" --no-defaults --datadir="$d/data" --user=mysql \
		--bind-address="$(ip4_of "$h"),$(ip6_of "$h")" --port="$(host_ports "$h" mariadb)" \
		--socket="$d/mysqld.sock" --pid-file="$d/mariadb.pid" --log-error="$d/mariadb.log" \
		--skip-name-resolve --max-connect-errors=1000000 --init-file="$d/init.sql" \
		--ssl-cert="$d/tls.crt" --ssl-key="$d/tls.key" --performance-schema=OFF \
		--innodb-buffer-pool-dump-at-shutdown=0 --innodb-buffer-pool-load-at-startup=0 \
		"${common[@]}" </dev/null >>"$d/mariadb.out" 2>&1 &
}

# vsftpd: anonymous login off, local logins allowed only for the users in
# an empty list: nobody. One process per address family (vsftpd listens on
# IPv4 or IPv6, not both).
start_vsftpd() {
	local h=$1 d fam
	d=$(own_dir "$h" vsftpd)
	mkdir -p "$d/empty"
	chmod 0555 "$d/empty"
	: >"$d/users"
	for fam in 4 6; do
		{
			if [[ $fam == 4 ]]; then
				echo "listen=YES"
				echo "listen_ipv6=NO"
				echo "listen_address=$(ip4_of "$h")"
			else
				echo "listen=NO"
				echo "listen_ipv6=YES"
				echo "listen_address6=$(ip6_of "$h")"
			fi
			cat <<-EOF
				listen_port=$(host_ports "$h" ftp)
				background=YES
				anonymous_enable=NO
				local_enable=YES
				userlist_enable=YES
				userlist_deny=NO
				userlist_file=$d/users
				write_enable=NO
				secure_chroot_dir=$d/empty
				nopriv_user=ftp
				xferlog_enable=NO
				vsftpd_log_file=$d/vsftpd.log
				pam_service_name=vsftpd
				seccomp_sandbox=NO
			EOF
		} >"$d/vsftpd-ipv$fam.conf"
		nsx "$(ns_host "$h")" "$VSFTPD" "$d/vsftpd-ipv$fam.conf" ||
			die "vsftpd on $h failed to start"
	done
}

# exim: an SMTP server on every smtp port that offers STARTTLS and relays
# nothing (every RCPT is denied).
start_exim() {
	local h=$1 d ports
	d=$(own_dir "$h" exim)
	mkdir -p "$d/spool" "$d/log"
	chown Debian-exim: "$d/spool" "$d/log"
	copy_cert "$h" "$d" Debian-exim
	ports=$(host_ports "$h" smtp | paste -sd: | sed 's/:/ : /g')
	cat >"$d/exim.conf" <<-EOF
		primary_hostname = $(fqdn "$h")
		spool_directory = $d/spool
		log_file_path = $d/log/%slog
		pid_file_path = $d/exim.pid
		local_interfaces = <; $(ip4_of "$h") ; $(ip6_of "$h")
		daemon_smtp_ports = $ports
		exim_user = Debian-exim
		exim_group = Debian-exim
		never_users = root
		keep_environment =
		host_lookup =
		rfc1413_hosts =
		tls_advertise_hosts = *
		tls_certificate = $d/tls.crt
		tls_privatekey = $d/tls.key
		acl_smtp_rcpt = acl_check_rcpt
		begin acl
		acl_check_rcpt:
		  deny message = relay not permitted
		begin routers
		begin transports
	EOF
	nsx "$(ns_host "$h")" "$EXIM" -C "$d/exim.conf" -bd -oP "$d/exim.pid" ||
		die "exim on $h failed to start; log: $d/log/mainlog"
}

# dovecot: IMAP and POP3 with STARTTLS, IMAPS and POP3S, plaintext logins
# refused, no users.
start_dovecot() {
	local h=$1 d protocols=() k port
	d=$(own_dir "$h" dovecot)
	mkdir -p "$d/base" "$d/state"
	copy_cert "$h" "$d"
	: >"$d/users"
	if [[ -n $(host_entries "$h" imap imaps) ]]; then protocols+=(imap); fi
	if [[ -n $(host_entries "$h" pop3 pop3s) ]]; then protocols+=(pop3); fi
	{
		cat <<-EOF
			instance_name = portwatch-lab-$P-$h
			base_dir = $d/base
			state_dir = $d/state
			log_path = $d/dovecot.log
			listen = $(ip4_of "$h"), $(ip6_of "$h")
			protocols = ${protocols[*]}
			ssl = yes
			ssl_cert = <$d/tls.crt
			ssl_key = <$d/tls.key
			disable_plaintext_auth = yes
			auth_mechanisms = plain
			passdb {
			  driver = passwd-file
			  args = $d/users
			}
			userdb {
			  driver = passwd-file
			  args = $d/users
			}
			mail_location = maildir:$d/mail/%u
			default_login_user = dovenull
			default_internal_user = dovecot
		EOF
		for k in "${protocols[@]}"; do
			echo "service $k-login {"
			for port in "$k" "${k}s"; do
				echo "  inet_listener $port {"
				echo "    port = $(host_ports "$h" "$port" | head -n 1 | grep . || echo 0)"
				if [[ $port == *s ]]; then echo "    ssl = yes"; fi
				echo "  }"
			done
			echo "}"
		done
	} >"$d/dovecot.conf"
	nsx "$(ns_host "$h")" "$DOVECOT" -c "$d/dovecot.conf" ||
		die "dovecot on $h failed to start; log: $d/dovecot.log"
}

# mosquitto: MQTT on every mqtt port, anonymous clients allowed (they may
# read $SYS/broker/version), nothing persisted.
start_mosquitto() {
	local h=$1 d port
	d=$(own_dir "$h" mosquitto mosquitto)
	{
		echo "per_listener_settings false"
		echo "allow_anonymous true"
		echo "persistence false"
		echo "pid_file $d/mosquitto.pid"
		echo "log_dest file $d/mosquitto.log"
		echo "user mosquitto"
		for port in $(host_ports "$h" mqtt); do
			echo "listener $port $(ip4_of "$h")"
			echo "listener $port $(ip6_of "$h")"
		done
	} >"$d/mosquitto.conf"
	nsx "$(ns_host "$h")" "$MOSQUITTO" -c "$d/mosquitto.conf" -d ||
		die "mosquitto on $h failed to start; log: $d/mosquitto.log"
}

# nats: nats-server binds one address, so one process per family.
start_nats() {
	local h=$1 d fam addr
	d=$(own_dir "$h" nats nats)
	for fam in 4 6; do
		if [[ $fam == 4 ]]; then addr=$(ip4_of "$h"); else addr=$(ip6_of "$h"); fi
		nsx_as nats "$(ns_host "$h")" setsid \
			"$NATS" -a "$addr" -p "$(host_ports "$h" nats)" -P "$d/nats-ipv$fam.pid" \
			-l "$d/nats-ipv$fam.log" </dev/null >>"$d/nats.out" 2>&1 &
	done
}

#!/usr/bin/env bash
# install-deps.sh: installs the Debian packages that portwatch's tests need
# (the namespace lab in test/lab/ and the comparison against nmap/ndiff).
#
# Idempotent: packages already installed are skipped, so a second run takes
# seconds. As root it runs `apt-get update` once and installs what is missing
# with --no-install-recommends, behind a temporary /usr/sbin/policy-rc.d that
# forbids starting daemons: the lab starts its own copies inside network
# namespaces, and none may run in the root namespace. Not as root it only
# prints what is missing and exits 0.
#
# Side effects of the packages themselves: chrony conflicts with every other
# time daemon (apt removes systemd-timesyncd); postgresql and mariadb-server
# create their default, stopped, data directories under /var/lib. The lab
# uses none of them: every lab daemon has its own files under the lab dir.
set -euo pipefail

# One package per line: what the tests use it for. "a|b" means any of them;
# the first one apt can install is installed.
PACKAGES=(
	iproute2       # ip netns, veth, bridge, ss
	nftables       # drop / reject rules inside lab hosts
	procps         # sysctl inside namespaces
	coreutils      # timeout
	openssh-server # sshd on lab hosts
	openssh-client # ssh-keygen for lab host keys
	"nginx-light|nginx" # HTTP/HTTPS on lab hosts (no nginx-light after bookworm)
	redis-server   # redis on lab hosts
	util-linux     # setpriv, setsid: lab daemons started as their own users
	libcap2-bin    # setcap: the SYN scanner's CAP_NET_RAW test
	slapd          # OpenLDAP for the LDAP fingerprinter's live test (loopback)
	dnsmasq-base   # DNS (udp+tcp 53, version.bind) on lab host h5; no service
	snmpd          # SNMP (udp 161) on h5
	chrony         # NTP server (udp 123, chronyd -x) on h5; replaces systemd-timesyncd
	memcached      # memcached (tcp+udp 11211) on h5
	postgresql     # two PostgreSQL clusters (initdb in the lab dir) on h6
	mariadb-server # MariaDB (mariadb-install-db in the lab dir) on h6
	vsftpd         # FTP on h7
	exim4-daemon-light # SMTP (25, 2525) on h7, with its own config (-C)
	dovecot-imapd  # IMAP, IMAPS on h7 (dovecot -c)
	dovecot-pop3d  # POP3, POP3S on h7
	mosquitto      # MQTT on h7
	nats-server    # NATS on h7
	openssl        # self-signed certificates for the lab
	ca-certificates
	nmap           # reference scanner, independent check of the lab
	ndiff          # reference diff of nmap XML
	jq             # bench/run.sh reads the lab's truth.json
	curl           # bench/monitors.sh reads the daemon's /debug/stats
	sqlite3        # bench/monitors.sh counts stored observations
	rsyslog        # the syslog notifier's tests run a real rsyslogd (never as a service)
	rsyslog-gnutls # ... with its TLS input
	chromium       # the dashboard's browser tests (chromedp, headless, in the scanner namespace)
	fonts-dejavu-core # ... and a font for its screenshots
)
# Deliberately not installed (heavy: Java, Erlang, Samba's stack): zookeeper,
# rabbitmq-server, samba. Their fingerprinters are tested against recorded
# transcripts; the live tests skip with a message when the daemon is absent.

installed() {
	[[ $(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

missing=()
for entry in "${PACKAGES[@]}"; do
	found=0
	IFS='|' read -ra alternatives <<<"$entry"
	for pkg in "${alternatives[@]}"; do
		if installed "$pkg"; then
			found=1
			break
		fi
	done
	((found)) || missing+=("$entry")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

if ((EUID != 0)); then
	echo "install-deps: not root; missing packages: ${missing[*]}" >&2
	echo "install-deps: install them with: sudo $0" >&2
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive

policy=/usr/sbin/policy-rc.d
policy_created=0
cleanup() {
	if ((policy_created)); then
		rm -f "$policy"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Forbid invoke-rc.d from starting any daemon while packages install. An
# existing policy-rc.d belongs to someone else: leave it alone.
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\n# temporary, from portwatch scripts/install-deps.sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	policy_created=1
fi

apt-get update -q

# candidate ENTRY: the first alternative that apt has a candidate for.
candidate() {
	local pkg
	IFS='|' read -ra alternatives <<<"$1"
	for pkg in "${alternatives[@]}"; do
		if apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then
			echo "$pkg"
			return 0
		fi
	done
	echo "${alternatives[0]}" # let apt-get name the problem
}

install=()
for entry in "${missing[@]}"; do
	install+=("$(candidate "$entry")")
done
echo "install-deps: installing: ${install[*]}"
apt-get install -y -q --no-install-recommends "${install[@]}"
echo "install-deps: done"

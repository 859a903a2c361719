# truth.sh: writes DIR/truth.json, the lab's ground truth, from lab.sh's
# tables, daemons.sh's facts, the installed daemons' versions and the hosts'
# ICMP settings as their kernels report them. Sourced by lab.sh; the Go
# types that read it are in truth.go.
# shellcheck shell=bash

# collect_versions: "STARTER VERSION" for every starter the lab uses.
collect_versions() {
	local s h used=" "
	for h in "${HOSTS[@]}"; do
		for s in $(host_starters "$h"); do used+="$s "; done
	done
	for s in "${STARTERS[@]}"; do
		if [[ $used == *" $s "* ]]; then echo "$s $("version_$s")"; fi
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

# details_json HOST KIND VERSION: facts about one service beyond its
# product and version, as a JSON object, or nothing.
details_json() {
	case $2 in
	dns) printf '{"zone":"%s","version_bind":"dnsmasq-%s"}' "$DNS_ZONE" "$3" ;;
	snmp) printf '{"community":"%s","sysdescr":"%s","sysname":"%s"}' \
		"$SNMP_COMMUNITY" "$(snmp_sysdescr "$1")" "$(fqdn "$1")" ;;
	ntp) printf '{"stratum":"%s"}' "$NTP_STRATUM" ;;
	mqtt) printf '{"anonymous":"true"}' ;;
	ftp) printf '{"anonymous":"false"}' ;;
	smtp) printf '{"hostname":"%s","relay":"false"}' "$(fqdn "$1")" ;;
	esac
}

# ports_json HOST PROTO: the "tcp" or "udp" object of one host.
ports_json() {
	local h=$1 proto=$2 policy=${HOST_POLICY[$1]} pp daemon rule state name version details first=1
	printf '{'
	for pp in $(host_entries "$h"); do
		[[ ${pp#*/} == "$proto" ]] || continue
		daemon=$(port_field "$h" "$pp" daemon)
		rule=$(port_field "$h" "$pp" rule)
		state=$(port_state "$policy" "$daemon" "$rule")
		name=$(rule_name "$policy" "$rule")
		((first)) || printf ','
		first=0
		printf '"%s":{"state":"%s","reason":"%s"' "${pp%/*}" "$state" \
			"$(port_reason "$policy" "$daemon" "$rule" "$proto")"
		if [[ $state == open && $daemon != none ]]; then # (none: a SYN proxy's port)
			version=${VERSIONS[$(daemon_starter "$daemon")]}
			printf ',"service":"%s","product":"%s"' "$(daemon_service "$daemon")" "$(daemon_product "$daemon")"
			if [[ $(daemon_wire_version "$daemon") == yes ]]; then printf ',"version":"%s"' "$version"; fi
			printf ',"installed_version":"%s"' "$version"
			case $(daemon_security "$daemon") in
			tls) printf ',"tls":true' ;;
			starttls) printf ',"starttls":true' ;;
			esac
			details=$(details_json "$h" "$daemon" "$version")
			if [[ -n $details ]]; then printf ',"details":%s' "$details"; fi
		fi
		if [[ -n $name ]]; then printf ',"rule":"%s"' "$name"; fi
		printf '}'
	done
	printf '}'
}

# icmp_json HOST: "icmp_ratelimited" and "icmp_ratelimit" of one host, read
# from its namespace.
icmp_json() {
	local ns v4 mask pps burst v6 mask6 limited=false
	ns=$(ns_host "$1")
	read -r v4 mask pps burst v6 < <(nsx "$ns" sysctl -n net.ipv4.icmp_ratelimit \
		net.ipv4.icmp_ratemask net.ipv4.icmp_msgs_per_sec net.ipv4.icmp_msgs_burst \
		net.ipv6.icmp.ratelimit | tr '\n' ' ')
	mask6=$(nsx "$ns" sysctl -n net.ipv6.icmp.ratemask)
	# Port unreachable is ICMP type 3 (bit 3 of the IPv4 mask), ICMPv6 type 1.
	if { ((v4 > 0 && (mask & 8))) || { ((v6 > 0)) && [[ -n $mask6 ]]; }; }; then limited=true; fi
	printf '"icmp_ratelimited":%s,"icmp_ratelimit":{"ipv4_ms":%d,"ipv4_mask":%d,"ipv6_ms":%d,"ipv6_mask":"%s","msgs_per_sec":%d,"msgs_burst":%d}' \
		"$limited" "$v4" "$mask" "$v6" "$mask6" "$pps" "$burst"
}

# host_json HOST: one host's object.
host_json() {
	local h=$1 policy=${HOST_POLICY[$1]}
	printf '{"name":"%s","netns":"%s","ipv4":"%s","ipv6":"%s","fqdn":"%s",' \
		"$h" "$(ns_host "$h")" "$(ip4_of "$h")" "$(ip6_of "$h")" "$(fqdn "$h")"
	case $policy in
	drop) printf '"default_tcp":"filtered","default_tcp_reason":"no-response","ping":false,' ;;
	synproxy) printf '"wildcard":true,"default_tcp":"open","default_tcp_reason":"syn-ack","ping":true,' ;;
	*) printf '"default_tcp":"closed","default_tcp_reason":"rst","ping":true,' ;;
	esac
	printf '"tcp":%s,' "$(ports_json "$h" tcp)"
	if [[ $policy == drop ]]; then
		printf '"default_udp":"filtered","default_udp_reason":"no-response",'
	else
		printf '"default_udp":"closed","default_udp_reason":"icmp-port-unreachable",'
	fi
	printf '"udp":%s,%s}' "$(ports_json "$h" udp)" "$(icmp_json "$h")"
}

# hosts_json HOST...: a JSON list of hosts.
hosts_json() {
	local first=1 h
	printf '['
	for h in "$@"; do
		((first)) || printf ','
		first=0
		host_json "$h"
	done
	printf ']'
}

# subnet_json SUBNET: one entry of "subnets".
subnet_json() {
	local s=$1 hosts live=() live6=() h
	hosts=($(hosts_in "$s"))
	for h in "${hosts[@]}"; do
		live+=("$(ip4_of "$h")")
		live6+=("$(ip6_of "$h")")
	done
	printf '{"name":"%s","cidr":"%s.0/24","ipv6_cidr":"%s:/64","scanner_ipv4":"%s.%s","scanner_ipv6":"%s:%s",' \
		"$s" "${SUBNET4[$s]}" "${SUBNET6[$s]}" "${SUBNET4[$s]}" "$SCANNER_OCTET" "${SUBNET6[$s]}" "$SCANNER_OCTET"
	printf '"live":%s,"live_ipv6":%s,"empty":%d,"hosts":%s}' \
		"$(json_list "${live[@]}")" "$(json_list "${live6[@]}")" $((254 - 1 - ${#hosts[@]})) \
		"$(hosts_json "${hosts[@]}")"
}

# write_truth: DIR/truth.json, atomically. Needs DIR/versions from
# collect_versions.
write_truth() {
	local s o unassigned=() unassigned6=() first=1 line
	declare -gA VERSIONS=()
	while read -r s line; do
		[[ -n $line ]] || die "cannot read the version of $s"
		VERSIONS[$s]=$line
	done <"$DIR/versions"
	for o in $UNASSIGNED_OCTETS; do
		unassigned+=("${SUBNET4[main]}.$o")
		unassigned6+=("${SUBNET6[main]}:$o")
	done
	{
		printf '{"prefix":"%s","dir":"%s",' "$P" "$DIR"
		printf '"scanner_netns":"%s","scanner_ipv4":"%s.%s","scanner_ipv6":"%s:%s",' \
			"$(ns_scan)" "${SUBNET4[main]}" "$SCANNER_OCTET" "${SUBNET6[main]}" "$SCANNER_OCTET"
		printf '"cidr":"%s.0/24","ipv6_cidr":"%s:/64","dns_zone":"%s",' "${SUBNET4[main]}" "${SUBNET6[main]}" "$DNS_ZONE"
		# shellcheck disable=SC2046
		printf '"hosts":%s,' "$(hosts_json $(hosts_in main))"
		printf '"unassigned":%s,"unassigned_ipv6":%s,' \
			"$(json_list "${unassigned[@]}")" "$(json_list "${unassigned6[@]}")"
		printf '"subnets":['
		for s in "${SUBNETS[@]}"; do
			[[ $s != main ]] || continue
			((first)) || printf ','
			first=0
			subnet_json "$s"
		done
		printf ']}\n'
	} >"$DIR/truth.json.tmp"
	mv "$DIR/truth.json.tmp" "$DIR/truth.json"
}

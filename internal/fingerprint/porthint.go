package fingerprint

// PortHint is the service usually found on a TCP or UDP port ("tcp", 22
// gives "ssh"), or "" when the port has no well-known service. Names are
// protocol names as in Service.Name (8080 is "http", not a port-specific
// alias), so a hint and an identification can be compared. Ports that
// usually run implicit TLS carry the TLS name (443 "https", 993 "imaps").
//
// This short table is portwatch's own, from the IANA registry and common
// practice; it is not derived from nmap-services. It is the evidence of
// last resort (MethodPortHint, ConfidencePortHint) when nothing answered.
func PortHint(proto string, port uint16) string {
	switch proto {
	case "tcp":
		return tcpHint(port)
	case "udp":
		return udpHint(port)
	}
	return ""
}

// tcpHint covers well-known and common registered TCP ports.
func tcpHint(port uint16) string {
	switch port {
	case 7:
		return "echo"
	case 13:
		return "daytime"
	case 20:
		return "ftp-data"
	case 21:
		return "ftp"
	case 22:
		return "ssh"
	case 23:
		return "telnet"
	case 25, 587, 2525:
		return "smtp"
	case 43:
		return "whois"
	case 53:
		return "domain"
	case 79:
		return "finger"
	case 80, 81, 591, 2375, 3000, 3128, 5000, 5984, 8000, 8008, 8080, 8081, 8088, 8888, 9000, 9090, 9200:
		return "http"
	case 88:
		return "kerberos"
	case 110:
		return "pop3"
	case 111:
		return "rpcbind"
	case 113:
		return "ident"
	case 119:
		return "nntp"
	case 135:
		return "msrpc"
	case 139:
		return "netbios-ssn"
	case 143:
		return "imap"
	case 179:
		return "bgp"
	case 389:
		return "ldap"
	case 443, 2376, 4443, 6443, 8443, 9443:
		return "https"
	case 445:
		return "microsoft-ds"
	case 465:
		return "smtps"
	case 514:
		return "shell"
	case 515:
		return "printer"
	case 548:
		return "afp"
	case 554:
		return "rtsp"
	case 563:
		return "nntps"
	case 631:
		return "ipp"
	case 636:
		return "ldaps"
	case 873:
		return "rsync"
	case 990:
		return "ftps"
	case 992:
		return "telnets"
	case 993:
		return "imaps"
	case 995:
		return "pop3s"
	case 1080:
		return "socks"
	case 1194:
		return "openvpn"
	case 1433:
		return "ms-sql-s"
	case 1521:
		return "oracle"
	case 1723:
		return "pptp"
	case 1883:
		return "mqtt"
	case 2049:
		return "nfs"
	case 2181:
		return "zookeeper"
	case 3306:
		return "mysql"
	case 3389:
		return "ms-wbt-server"
	case 4222:
		return "nats"
	case 4369:
		return "epmd"
	case 5060:
		return "sip"
	case 5222:
		return "xmpp-client"
	case 5269:
		return "xmpp-server"
	case 5432:
		return "postgresql"
	case 5672:
		return "amqp"
	case 5900, 5901:
		return "vnc"
	case 6379:
		return "redis"
	case 6667:
		return "irc"
	case 6697:
		return "ircs"
	case 8883:
		return "mqtt" // inside TLS; TLSName keeps the name
	case 9042:
		return "cassandra"
	case 9092:
		return "kafka"
	case 9100:
		return "jetdirect"
	case 9418:
		return "git"
	case 11211:
		return "memcached"
	case 27017:
		return "mongodb"
	}
	return ""
}

// udpHint covers well-known and common registered UDP ports.
func udpHint(port uint16) string {
	switch port {
	case 7:
		return "echo"
	case 53:
		return "domain"
	case 67:
		return "dhcps"
	case 68:
		return "dhcpc"
	case 69:
		return "tftp"
	case 123:
		return "ntp"
	case 137:
		return "netbios-ns"
	case 138:
		return "netbios-dgm"
	case 161:
		return "snmp"
	case 162:
		return "snmptrap"
	case 443:
		return "quic"
	case 500:
		return "isakmp"
	case 514:
		return "syslog"
	case 520:
		return "route"
	case 1194:
		return "openvpn"
	case 1812:
		return "radius"
	case 1813:
		return "radacct"
	case 1900:
		return "upnp"
	case 3478:
		return "stun"
	case 4500:
		return "nat-t-ike"
	case 4789:
		return "vxlan"
	case 5060:
		return "sip"
	case 5353:
		return "mdns"
	case 11211:
		return "memcached"
	case 51820:
		return "wireguard"
	}
	return ""
}

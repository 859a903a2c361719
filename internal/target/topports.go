package target

import "fmt"

// This file holds portwatch's own ranking of the ports most often found
// open, most common first. How it was built, and from what, is in
// docs/top-ports.md. The lists are built fresh on each call so that no
// caller can change them for another; TestTopPortLists checks that they
// have no duplicates.

// TopPorts returns the n most common ports for "tcp" or "udp" from
// portwatch's own ranking (docs/top-ports.md), most common first. If n is
// larger than the list, the whole list is returned.
func TopPorts(proto string, n int) ([]uint16, error) {
	if n < 1 {
		return nil, fmt.Errorf("top ports: count %d must be at least 1", n)
	}
	var list []uint16
	switch proto {
	case "tcp":
		list = topTCP()
	case "udp":
		list = topUDP()
	default:
		return nil, fmt.Errorf("top ports: unknown protocol %q (want tcp or udp)", proto)
	}
	return list[:min(n, len(list))], nil
}

// topTCP returns the TCP ranking.
func topTCP() []uint16 {
	return []uint16{
		// Tier 1: the services on most exposed hosts (web, remote access, mail,
		// file transfer, CPE management, DNS, Windows file sharing, databases).
		80, 443, 22, 8080, 21, 25, 3389, 7547, 8443, 53, // http, https, ssh, http-alt, ftp, smtp, rdp, tr-069 cwmp, https-alt, dns
		110, 143, 993, 995, 587, 465, 23, 445, 3306, 8000, // pop3, imap, imaps, pop3s, submission, smtps, telnet, smb, mysql, http-alt
		8888, 135, 139, 111, 1723, 5060, 2000, 8081, 5900, 2082, // http-alt, msrpc, netbios-ssn, rpcbind, pptp, sip, cisco-sccp/mikrotik, http-alt, vnc, cpanel
		2083, 2086, 2087, 2095, 2096, 8008, 179, 5432, 6379, 27017, // cpanel/whm/webmail, http-alt, bgp, postgresql, redis, mongodb
		// Tier 2: common admin panels, alternates, directory and device services.
		9200, 5000, 8089, 10000, 9000, 4443, 81, 8880, 8001, 5985, // elasticsearch, upnp/flask/synology, splunkd, webmin, php-fpm/portainer/minio, https-alt, http-alt, http-alt, http-alt, winrm
		1433, 8082, 8090, 9090, 2222, 8083, 9443, 5001, 3000, 6443, // mssql, http-alt, http-alt, prometheus/cockpit, ssh-alt, http-alt, https-alt, synology-https, grafana/node, kubernetes api
		10443, 30005, 4567, 49152, 8085, 8010, 8181, 7001, 1521, 5901, // https-alt/ssl-vpn, tr-069 alt, tr-069 verizon, upnp/windows rpc, http-alt, http-alt, http-alt, weblogic, oracle, vnc :1
		8291, 8728, 88, 389, 636, 554, 37777, 1883, 8883, 8009, // mikrotik winbox/api, kerberos, ldap, ldaps, rtsp, dahua dvr, mqtt, mqtts, ajp
		5986, 3128, 1080, 2323, 8099, 8086, 9100, 631, 515, 548, // winrm-https, squid, socks, telnet-alt, http-alt, influxdb, jetdirect/node-exporter, ipp, lpd, afp
		873, 2049, 5357, 49153, 49154, 5222, 8123, 11211, 9092, 2375, // rsync, nfs, wsdapi, windows rpc, xmpp, home-assistant/clickhouse, memcached, kafka, docker
		2376, 10250, 2379, 5601, 15672, 5672, 1194, 3268, 464, 593, // docker-tls, kubelet, etcd, kibana, rabbitmq mgmt, amqp, openvpn, global catalog, kpasswd, rpc over http
		// Tier 3: HTTP alternates and web admin interfaces seen across hosting and appliances.
		82, 83, 84, 85, 8084, 8087, 8088, 8091, 8180, 8200,
		8500, 8444, 9001, 9080, 9091, 9999, 10001, 50000, 7070, 7080,
		7443, 7777, 4000, 4001, 4444, 3001, 5080, 5443, 5800, 6000, // ..., vnc-http, x11
		6080, 7000, 7002, 8002, 8003, 8004, 8005, 8006, 8007, 8011, // novnc, ..., proxmox (8006)
		8012, 8020, 8042, 8060, 8069, 8800, 8834, 8889, 8899, 8983, // ..., odoo, nessus, solr
		32400, 9002, 9003, 9009, 9010, 9043, 9060, 9081, 9191, 9300, // plex, ..., websphere, elasticsearch transport
		9418, 9500, 9600, 9876, 9990, 9998, 10080, 12345, 16992, 16993, // git, ..., wildfly admin, intel amt
		18080, 19999, 20000, 25565, 27015, 28017, 37215, 49155, 49156, 49157, // ..., netdata, usermin/dnp3, minecraft, steam, mongodb http, huawei hg, windows rpc
		52869, 60001, 61616, 3269, 9389, 47001, 5061, 5269, 5938, 5631, // realtek upnp, ..., activemq, gc-ssl, ad web services, winrm listener, sips, xmpp-server, teamviewer, pcanywhere
		// Remote access and remote administration.
		22222, 2022, 8022, 10022, 830, 5902, 5903, 5904, 5500, 1494, // ssh alternates, netconf, vnc, vnc-reverse, citrix ica
		2598, 4172, 3283, 6568, 4899, 512, 513, 514, 222, 1022, // citrix cgp, pcoip, apple remote desktop, anydesk, radmin, rexec, rlogin, rsh
		2200, 992, 2221, 6001, 6002, 5905, 5910, 5911, 3350, 3390, // ssh-alt, telnets, ..., x11, vnc, rdp alternates
		// Windows and Active Directory.
		5722, 1801, 2103, 2105, 2107, 3343, 5358, 1434, 2179, 8530, // dfsr, msmq, cluster, wsd, mssql browser, hyper-v, wsus
		8531, 4022, 2383, 1688, 7680, 1270, 5723, 5724, 808, 8172, // wsus-ssl, service broker, ssas, kms, delivery optimization, scom, net.tcp, web deploy
		2869, 49158, 49159, 49160, 49161, 49163, 49165, 49167, 1025, 1026, // ssdp event, windows dynamic rpc
		1027, 1028, 1029, 1030, 1031, 1032, 1033, 1040, 1050, 2701, // older windows dynamic rpc, sccm
		42, 9985, 6516, 5040, 3391, 10123, 3387, 2702, 5504, 4343, // wins, ..., windows admin center, rd gateway
		// Databases and data platforms.
		5433, 6432, 1522, 1526, 1527, 1830, 2483, 2484, 1158, 3050, // postgresql alt, pgbouncer, oracle, derby, oracle tls, oracle em, firebird
		3351, 1583, 2638, 4100, 9088, 1972, 57772, 7210, 30015, 30013, // pervasive, sybase, informix, intersystems cache, sap maxdb, sap hana
		26257, 28015, 29015, 8529, 7474, 7687, 7473, 9042, 9160, 7199, // cockroachdb, rethinkdb, arangodb, neo4j, cassandra
		11210, 18091, 18092, 2424, 2480, 8182, 9004, 9005, 33060, 4568, // couchbase, orientdb, gremlin, clickhouse, mysqlx, galera
		6032, 6033, 3307, 3308, 3309, 6380, 6381, 26379, 27018, 27019, // proxysql, mysql alternates, redis alternates, redis sentinel, mongodb shards/config
		5984, 6984, 4200, 5439, 8047, 31010, 9047, 1186, 9083, 21050, // couchdb, cratedb, redshift, drill, dremio, mysql cluster, hive metastore, impala
		7180, 7183, 2181, 2888, 3888, 9870, 9864, 9866, 50070, 50075, // cloudera manager, zookeeper, hdfs
		50090, 50010, 50020, 50030, 50060, 8030, 8031, 8032, 8033, 19888, // hadoop, yarn, job history
		10020, 16000, 16010, 16020, 16030, 60010, 60030, 7077, 6066, 8998, // hbase, spark, livy
		4040, 4041, 11000, 8428, 3100, 4222, 6222, // spark ui, oozie, victoriametrics, loki, nats
		// Message brokers and streaming.
		5671, 25672, 15671, 4369, 61613, 61614, 8161, 8222, 9093, 9094, // amqps, rabbitmq dist/mgmt-tls, epmd, stomp, activemq web, nats monitor, kafka/alertmanager
		6650, 6651, 1099, 10911, 10909, 7676, 5445, 18083, 5552, 7222, // pulsar, java rmi, rocketmq, openmq, hornetq, emqx, rabbitmq stream, tibco ems
		1414, 9644, 1884, 8884, 61617, 5556, 5557, 9095, 29092, // ibm mq, redpanda admin, mqtt alternates, activemq ssl, zeromq
		// Monitoring, logging and tracing.
		199, 9104, 9113, 9115, 9117, 9121, 9182, 9187, 9216, 9308, // smux, prometheus exporters
		2003, 2004, 8126, 4242, 5044, 601, 6514, 12201, 24224, 3003, // graphite carbon, statsd admin, opentsdb, beats, syslog, gelf, fluentd
		9411, 14268, 14250, 16686, 4317, 4318, 5666, 5667, 4949, 10050, // zipkin, jaeger, otlp, nrpe, nsca, munin, zabbix agent
		10051, 8649, 8651, 5693, 12489, 9101, 9102, 9103, 2020, 9997, // zabbix server, ganglia, ncpa, nsclient++, bacula, fluent-bit, splunk forwarder
		8191, 9887, 9153, 10254, 8404, 1936, 9901, 8765, 3002, 9106, // splunk kv/replication, coredns metrics, ingress metrics, haproxy stats, envoy admin
		// Containers, orchestration and service mesh.
		2377, 2380, 4243, 10248, 10249, 10251, 10252, 10255, 10256, 10257, // docker swarm, etcd peer, docker alt, kubelet/kube-proxy/scheduler/controller
		10259, 4194, 9099, 6783, 7946, 4646, 4647, 4648, 8300, 8301, // kube-scheduler, cadvisor, calico, weave, swarm gossip, nomad, consul
		8302, 8600, 8201, 15000, 15001, 15006, 15010, 15014, 15017, 15021, // consul, vault cluster, istio/envoy
		15090, 2381, 5473, 9345, 16443, 25000, 30000, 30080, 30443, 31000, // istio metrics, etcd metrics, calico typha, rke2, microk8s, nodeports
		32000, 8761, 8848, 9848, 8719, 20880, 8400, 6060, 6061, 2378, // eureka, nacos, sentinel, dubbo, go pprof, etcd alt
		// Industrial control, building automation, cameras and IoT.
		502, 102, 44818, 1911, 4911, 789, 1962, 18245, 5094, 2404, // modbus, s7comm, ethernet/ip, niagara fox, red lion, pcworx, ge srtp, hart-ip, iec-104
		4840, 8729, 34567, 9527, 5678, 5431, 7548, 58000, 10554, 8554, // opc ua, mikrotik api-ssl, xiongmai dvr, ..., upnp, tr-069, rtsp alternates
		5555, 2223, 8023, 23231, 9530, 6668, 1024, 2080, 9943, 4786, // adb, telnet alternates, tuya, cisco smart install
		623, 664, 16994, 16995, 5988, 5989, 17988, 17990, 2068, 5120, // ipmi, asf, intel amt redirection, wbem, ilo virtual media, avocent, bmc
		7578, 902, 903, 912, 427, 5480, 16509, 16514, 3260, 860, // vmware, slp, vcenter vami, libvirt, iscsi
		20547, 2455, 1200, 2001, 7700, 3671, 47808, 1089, 1090, // proconos, codesys, ..., omron fins, knx, bacnet, ff fieldbus
		2002, 11001, 10002, 30718, 4800, 950, 41794, 37020, // ..., lantronix, moxa, crestron, hikvision sadp
		// Mail.
		24, 106, 109, 366, 2525, 4190, 783, 10024, 10025, 11332, // lmtp, poppassd, pop2, odmr, smtp-alt, managesieve, spamd, amavis, rspamd
		11333, 11334, 691, 1110, 1143, 3310, 26, 7071, 7025, 444, // rspamd, exchange routing, pop/imap alternates, clamd, smtp-alt, zimbra, snpp/https-alt
		// Web frameworks, development servers and CI/CD.
		5173, 9229, 6006, 8787, 7990, 7999, 8065, 4848, 4712, 5005, // vite, node inspector, tensorboard, rstudio, bitbucket, mattermost, glassfish, jdwp
		8453, 7003, 7004, 2809, 9353, 8929, 3030, 8140, // weblogic/websphere/corba, gitlab alt, puppet
		8139, 8333, 8384, 8545, 8546, 9051, 9050, 9030, 9150, 11371, // puppet, bitcoin, syncthing gui, ethereum rpc/ws, tor control/socks/dir, hkp keyserver
		3333, 6666, 11111, 33333, 44444, 55555, 54321, 1337, 31337, 12346, // "memorable" ports seen running http and backdoors
		// Proxies, VPN and tunnels.
		8118, 943, 1701, 4433, 1443, 2443, 3443, 11443, 3129, 1081, // privoxy, openvpn access server, l2tp, https/ssl-vpn alternates, squid alt, socks alt
		4145, 6588, 8989, 1812, 1813, 1645, 1646, 49, 3799, 655, // socks alt, anyproxy, radius, tacacs+, radius coa, tinc
		9993, 8999, 10444, 18443, 20443, 60443, 50443, 44300, 44443, 12443, // zerotier, https alternates
		// File transfer, sharing and storage.
		20, 115, 989, 990, 20048, 4045, 662, 875, 892, 2121, // ftp-data, sftp, ftps, nfs mountd/lockd/statd/rquotad, ftp-alt
		6881, 6969, 22000, 3690, 2401, 8112, 58846, 6800, 51413, 6346, // bittorrent, tracker, syncthing, svn, cvs, deluge, aria2, transmission, gnutella
		4662, 1214, 6789, 3300, 7480, 24007, 24008, 3205, 62078, 3031, // emule, kazaa, ceph mon/msgr2/rgw, glusterd, isns, iphone lockdown, eppc
		// Chat, collaboration and voice.
		5223, 5280, 5281, 5298, 1863, 5190, 6667, 6697, 6660, 6661, // xmpp tls/bosh, presence, msnp, aim, irc, ircs
		6662, 6663, 6664, 6665, 6669, 194, 1720, 5038, 4569, 5349, // irc, h.323, asterisk ami, iax2, turns
		3478, 3479, 10011, 30033, 64738, 3724, 6112, 25575, 27016, 27036, // stun/turn, teamspeak query/files, mumble, wow, battle.net, minecraft rcon, steam
		7778, 1352, 1533, 2427, 2727, 5062, 5070, 1719, 5065, 6050, // ut/ark, lotus notes, sametime, mgcp, sip alternates, h.323 ras
		// Network devices and security appliances.
		1993, 1741, 10161, 6653, 6633, 639, 646, 5246, 5247, 8043, // snmp-tcp, cisco works, snmp-tls, openflow, msdp, ldp, capwap, omada/unifi
		8843, 27117, 541, 256, 257, 264, 18190, 18191, 18192, 18210, // unifi, fortimanager, check point fw-1
		18211, 18264, 19009, 4353, 3220, 28443, 8015, 8013, 2601, 2604, // check point, f5 iquery, juniper, palo alto, fortinet, quagga/frr vty
		2605, 2606, 2607, 2608, 7878, 6003, 6004, 3052, 3551, // quagga/frr vty, ..., exchange rpc, apc powerchute, apcupsd
		3493, 6547, 1098, 4445, 4446, 1100, 8093, 13724, 1556, 13782, // nut, powerchute, jboss rmi, ..., veritas netbackup
		13720, 6106, 6101, 8401, 8403, 9390, 9391, 9392, 3780, 3790, // veritas, backup exec, commvault, openvas, nexpose, metasploit
		55553, 50050, 6129, 1128, 3200, 3201, 3299, 3600, 50013, 50014, // metasploit rpc, cobalt strike, dameware, sap hana studio, sap dispatcher/router/message server/startsrv
		// OpenStack and private cloud.
		35357, 8774, 8776, 9292, 9696, 8778, 8041, 9511, 8386, 6082, // keystone admin, nova, cinder, glance, neutron, placement, gnocchi, magnum, sahara, ...
		5050, 8111, 9222, 2030, 9123, 7800, 7900, 1718, 5250, 9991, // multimedia, teamcity, chrome devtools, oracle-ms-ens, ..., soaagent
		// HTTP and HTTPS on further alternate ports, as internet-wide scans find them.
		8040, 8050, 8070, 8071, 8079, 8101, 8445, 8446, 8447, 8448,
		8585, 8686, 8688, 8700, 8881, 8882, 8890, 8900, 8901, 9006,
		9007, 9008, 9011, 9012, 9020, 9082, 9084, 9085, 9098, 9180,
		9201, 9444, 9445, 9988, 10005, 10010, 10100, 10101, 10200, 10800,
		11080, 12000, 13000, 14000, 15080, 16080, 17000, 18000, 18001, 18081,
		18082, 18888, 19000, 19080, 20001, 20080, 21000, 23000, 28080, 30001,
		40000, 50001, 50002, 55000, 60000, 65000, 7081, 7082, 7090, 7100,
		// Registered services that are less often exposed.
		1935, 1984, 2301, 2947, 2967, 3372, 3527, 1311, 1400, 1500, // rtmp, xymon, hp insight, gpsd, symantec av, msdtc, msmq, dell openmanage, sonos, ibm tsm
		1540, 1560, 1666, 1755, 1761, 2100, 2161, 2725, 2811, 3689, // 1c, perforce, mms, landesk, oracle xdb, apc agent, mssql olap, gridftp, daap
		3905, 4111, 4125, 4321, 5003, 5009, 5353, 5405, 5718, 5801, // mupdate, xgrid, rww, rwhois, filemaker, airport admin, mdns, netsupport, dpm, vnc-http :1
		5987, 5999, 6100, 6502, 6543, 6566, 7937, 7938, 1234, 1241, // wbem rmi, cvsup, ..., netop, mythtv, sane, legato, vlc, nessus (old)
		1167, 1503, 1700, 2048, 2190, 2399, 24800, 27000, 13722, 10082, // cisco ipsla, netmeeting, ..., dls-monitor, tivoconnect, filemaker, synergy, flexlm, netbackup, amanda
		9618, 20222, 32768, 32769, 32770, 32771, 5002, 5100, 5101, 5400, // htcondor, ipulse, sun rpc high ports, ...
		// Remaining well-known ports (below 1024) with a registered service.
		1, 7, 9, 11, 13, 15, 17, 19, 37, 43, // tcpmux, echo, discard, systat, daytime, netstat, qotd, chargen, time, whois
		70, 79, 87, 90, 99, 113, 119, 123, 161, 162, // gopher, finger, link, dnsix, metagram, ident, nntp, ntp, snmp, snmptrap
		209, 210, 212, 259, 280, 311, 383, 406, 407, 416, // qmtp, z39.50, anet, esro, http-mgmt, macos server admin, hp openview, imsp, timbuktu, silverplatter
		425, 458, 497, 500, 524, 540, 543, 544, 555, 556, // icad, quicktime, retrospect, isakmp, ncp, uucp, klogin, kshell, dsf, remotefs
		563, 616, 617, 625, 648, 666, 667, 683, 687, 700, // nntps, sco admin, apple directory, rrp, doom, disclose, corba iiop, asip registry, epp
		705, 711, 749, 750, 754, 765, 777, 800, 801, 843, // agentx, cisco tdp, kerberos admin, kerberos iv, krb_prop, webster, multiling-http, mdbs, device, flash policy
		888, 898, 900, 901, 911, 981, 987, 999, 1000, 1001, // accessbuilder, sun mc, omg initial refs, swat, xact-backup, check point https, sbs, garcon, ...
		1010, // surf
	}
}

// topUDP returns the UDP ranking.
func topUDP() []uint16 {
	return []uint16{
		// Tier 1: services that answer on most networks.
		53, 123, 161, 137, 1900, 5353, 500, 67, 68, 69, // dns, ntp, snmp, netbios-ns, ssdp, mdns, ike, dhcp server/client, tftp
		138, 5060, 4500, 514, 162, 520, 1434, 11211, 3478, 1194, // netbios-dgm, sip, ipsec nat-t, syslog, snmptrap, rip, mssql browser, memcached, stun, openvpn
		51820, 623, 111, 1701, 443, 5355, 3702, 10001, 47808, 5683, // wireguard, ipmi, rpcbind, l2tp, quic, llmnr, ws-discovery, ubiquiti discovery, bacnet, coap
		2049, 1812, 1813, 1645, 1646, 88, 389, 464, 427, 3389, // nfs, radius, kerberos, cldap, kpasswd, slp, rdp udp transport
		// Tier 2: amplification-prone legacy services and network infrastructure.
		19, 17, 7, 13, 37, 9, 11, 2055, 6343, 9995, // chargen, qotd, echo, daytime, time, discard, systat, netflow, sflow, netflow
		9996, 4739, 8125, 5004, 5005, 3544, 5351, 1985, 3222, 3784, // netflow, ipfix, statsd, rtp/rtcp, teredo, nat-pmp/pcp, hsrp, glbp, bfd
		2123, 2152, 3386, 4789, 8472, 8285, 6081, 7946, 8301, 8302, // gtp-c, gtp-u, gtp', vxlan, linux vxlan, flannel, geneve, memberlist, consul serf
		8600, 4648, 6783, 6784, 177, 517, 518, 512, 513, 521, // consul dns, nomad serf, weave, xdmcp, talk, ntalk, biff, who, ripng
		546, 547, 631, 135, 853, 5349, 3479, 19302, 10161, 10162, // dhcpv6, ipp, msrpc, dns over quic, turn/stun, google stun, snmp over dtls
		6514, 3799, 1719, 1718, 2427, 2727, 4569, 5061, 5062, 5080, // syslog dtls, radius coa, h.323 ras, mgcp, iax2, sip alternates
		// Industrial control, building automation and IoT discovery.
		44818, 2222, 34962, 34963, 34964, 20000, 502, 2404, 9600, 18245, // ethernet/ip, profinet, dnp3, modbus, iec-104, omron fins, ge srtp
		3671, 5684, 1883, 30718, 41794, 37810, 37020, 5678, 20561, 2362, // knx, coaps, mqtt-sn, lantronix, crestron, dahua, hikvision sadp, mikrotik mndp/mac-winbox, digi addp
		4800, 1911, 4840, 1982, 6666, 6667, 38899, 56700, 9999, 48899, // moxa, fox, opc ua discovery, yeelight, tuya, ..., lifx, tp-link, hf-lpb
		// VPN, remote access and tunnels.
		41641, 9993, 655, 4242, 1604, 2598, 3391, 5938, 3283, 5632, // tailscale, zerotier, tinc, nebula, citrix ica browser, rd gateway, teamviewer, apple remote desktop, pcanywhere
		10000, 4433, 8443, 1024, 49152, 49153, 49154, 32768, 32769, 32770, // sonicwall/jitsi, dtls vpn, windows and sun rpc dynamic ports
		32771, 1025, 1026, 1027, 1028, 1029, 1030, 20048, 662, 875, // rpc dynamic, nfs mountd, statd, rquotad
		892, 4045, 750, 2535, 4672, 6881, 6346, 4665, 3130, 3401, // mountd, lockd, kerberos iv, madcap, emule kad, bittorrent dht, gnutella, ..., squid icp/snmp
		// Monitoring, logging and tracing agents.
		25826, 8649, 2003, 24224, 12201, 6831, 6832, 5775, 1514, 10514, // collectd, ganglia, graphite, fluentd, gelf, jaeger, wazuh/syslog alternates
		// Voice, video, chat and games.
		3074, 3075, 3658, 27015, 27016, 27036, 27031, 19132, 19133, 9987, // xbox, playstation, steam, minecraft bedrock, teamspeak
		64738, 25565, 27960, 28960, 2302, 2303, 2456, 2457, 7777, 7778, // mumble, minecraft query, quake 3, call of duty, halo/arma, valheim, unreal/ark
		28015, 26000, 6112, 8801, 8802, 3480, 3481, 19305, 50000, 16384, // rust, quake, battle.net, zoom, teams/skype, google meet, lync media, facetime rtp
		// Less common registered services.
		42, 7000, 7001, 7002, 7003, 7004, 7005, 7007, 1512, 2048, // wins, afs, wins replication, dls-monitor
		213, 319, 320, 626, 5246, 5247, 1967, 8612, 6970, 5002, // ipx, ptp event/general, serialnumberd, capwap control/data, cisco ip sla, canon bjnp, quicktime rtp, ...
	}
}

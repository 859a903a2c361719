// Package discovery finds out which hosts of a target list are there
// before they are port-scanned, with raw packets as nmap does when it runs
// as root: ARP requests for IPv4 addresses on a directly attached Ethernet
// segment (and neighbour solicitations for IPv6 ones), where an answer comes
// within a millisecond and silence is conclusive; and for everything else
// an ICMP echo request, a TCP SYN to 443 and 80 and a TCP ACK to 80, any
// answer to which proves the host. Replies are matched by a keyed cookie,
// as in the SYN scan. Hosts that stay silent through the retries are down.
package discovery

// Package rawnet is portwatch's raw-packet layer for Linux: route lookups
// over netlink (source address, output interface, gateway), raw IPv4/IPv6
// send sockets with batched sends, an AF_PACKET receive socket behind a
// classic BPF filter, packet building and decoding with gopacket/layers, a
// keyed SipHash cookie that makes reply matching stateless, and privilege
// detection. It uses golang.org/x/sys/unix only: no cgo, no libpcap.
//
// Sockets are created in the network namespace of the calling OS thread and
// stay there, so a caller that opens everything up front may move its thread
// into another namespace just for the opening.
package rawnet

// Package syn is portwatch's TCP SYN scanner (nmap -sS): it sends one SYN
// per port from raw sockets and reads the answers itself, so it needs no
// connection, no file descriptor and no kernel state per probe. Replies are
// matched statelessly by a keyed cookie in the sequence number; only the
// probes still waiting for an answer are remembered, a number bounded by
// the send window, so memory does not grow with the size of the scan.
//
// States follow nmap -sS: SYN-ACK is open (syn-ack), RST is closed (rst),
// an ICMP unreachable is filtered with its code as the reason (port
// unreachable included), and silence after the retries is filtered
// (no-response). See docs/syn-scan.md for the design and its defaults.
package syn

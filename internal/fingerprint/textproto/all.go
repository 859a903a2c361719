// Package textproto holds protocol fingerprinters for line-based and
// classic network protocols, one file per protocol: ssh, ftp, smtp, pop3,
// imap, telnet, vnc, rdp (ms-wbt-server), smb (microsoft-ds), ldap, dns
// (domain), rtsp and sip.
package textproto

import "github.com/portwatch/portwatch/internal/fingerprint"

// All returns this package's fingerprinters, those whose servers speak
// first before those that must be asked.
func All() []fingerprint.Fingerprinter {
	return []fingerprint.Fingerprinter{
		&SSH{}, &FTP{}, &SMTP{}, &POP3{}, &IMAP{}, &Telnet{}, &VNC{},
		&RDP{}, &SMB{}, &LDAP{}, &DNS{}, &RTSP{}, &SIP{},
	}
}

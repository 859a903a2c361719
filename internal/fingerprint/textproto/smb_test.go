package textproto

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/portwatch/portwatch/internal/fingerprint"
)

// The SMB answers are built from [MS-SMB2] 2.2.4/2.2.6 and [MS-NLMP]
// 2.2.1.2; TestSMBLive checks them against Debian's smbd when installed.

// smbNegotiateResponse builds a NEGOTIATE response.
func smbNegotiateResponse(dialect, mode uint16, guid []byte) []byte {
	h := make([]byte, smb2HeaderSize)
	copy(h, "\xfeSMB")
	binary.LittleEndian.PutUint16(h[4:], smb2HeaderSize)
	h[16] = 1 // SERVER_TO_REDIR
	b := make([]byte, 64)
	binary.LittleEndian.PutUint16(b[0:], 65)
	binary.LittleEndian.PutUint16(b[2:], mode)
	binary.LittleEndian.PutUint16(b[4:], dialect)
	copy(b[8:24], guid)
	binary.LittleEndian.PutUint32(b[28:], 8<<20)
	return netBIOS(append(h, b...))
}

// smbChallengeResponse builds a SESSION_SETUP response carrying an NTLMSSP
// CHALLENGE (unwrapped by SPNEGO: the parser looks for the signature).
func smbChallengeResponse(major, minor byte, build uint16, nbName, nbDomain, dnsName string) []byte {
	h := make([]byte, smb2HeaderSize)
	copy(h, "\xfeSMB")
	binary.LittleEndian.PutUint16(h[4:], smb2HeaderSize)
	binary.LittleEndian.PutUint32(h[8:], smbStatusMoreProcessing)
	binary.LittleEndian.PutUint16(h[12:], smb2SessionSetup)
	av := func(id uint16, s string) []byte {
		u := utf16.Encode([]rune(s))
		out := binary.LittleEndian.AppendUint16(nil, id)
		out = binary.LittleEndian.AppendUint16(out, uint16(2*len(u)))
		for _, c := range u {
			out = binary.LittleEndian.AppendUint16(out, c)
		}
		return out
	}
	info := append(append(append(av(2, nbDomain), av(1, nbName)...), av(3, dnsName)...), 0, 0, 0, 0)
	ch := []byte("NTLMSSP\x00\x02\x00\x00\x00")
	ch = append(ch, make([]byte, 8)...) // target name fields
	ch = binary.LittleEndian.AppendUint32(ch, 0x02000000|0x00800000|0x1)
	ch = append(ch, make([]byte, 16)...) // challenge, reserved
	ch = binary.LittleEndian.AppendUint16(ch, uint16(len(info)))
	ch = binary.LittleEndian.AppendUint16(ch, uint16(len(info)))
	ch = binary.LittleEndian.AppendUint32(ch, 56)
	ch = append(ch, major, minor, byte(build), byte(build>>8), 0, 0, 0, 15)
	ch = append(ch, info...)
	body := make([]byte, 8)
	binary.LittleEndian.PutUint16(body[0:], 9)
	binary.LittleEndian.PutUint16(body[4:], smb2HeaderSize+8)
	binary.LittleEndian.PutUint16(body[6:], uint16(len(ch)))
	return netBIOS(append(append(h, body...), ch...))
}

// smbServer checks the two requests and answers them.
func smbServer(t *testing.T, negotiate, setup []byte) fingerprint.Service {
	t.Helper()
	addr := serve(t, func(c net.Conn) {
		req, err := readNetBIOS(c)
		if err != nil || !bytes.HasPrefix(req, []byte("\xfeSMB")) {
			t.Errorf("negotiate request: %v", err)
			return
		}
		b := req[smb2HeaderSize:]
		if n := binary.LittleEndian.Uint16(b[2:]); n != 5 || binary.LittleEndian.Uint16(b[36+8:]) != 0x0311 {
			t.Errorf("dialects: count %d, last %x", n, b[36+8:36+10])
		}
		if off := binary.LittleEndian.Uint32(b[28:]); off%8 != 0 || int(off) >= len(req) || binary.LittleEndian.Uint16(req[off:]) != 1 {
			t.Errorf("negotiate contexts at %d", off)
		}
		_, _ = c.Write(negotiate)
		req, err = readNetBIOS(c)
		if err != nil {
			return
		}
		if !bytes.Contains(req, []byte("NTLMSSP\x00\x01\x00\x00\x00")) {
			t.Errorf("session setup without NTLMSSP NEGOTIATE")
		}
		if setup == nil {
			return // hang up
		}
		_, _ = c.Write(setup)
		_, _ = c.Read(make([]byte, 1))
	})
	svc, err := probe(t, &SMB{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestSMB(t *testing.T) {
	guid := []byte{0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x34, 0x12, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}
	const guidText = "12345678-1234-1234-1234-56789abcdef0"

	svc := smbServer(t, smbNegotiateResponse(0x0311, 1, guid), smbChallengeResponse(6, 1, 0, "FILES", "WORKGROUP", "files"))
	checkService(t, svc, fingerprint.Service{Name: "microsoft-ds", Product: "Samba smbd", OS: "Unix", Hostname: "files",
		Extra: "dialect 3.1.1; signing enabled, not required; server GUID " + guidText + "; NetBIOS domain WORKGROUP",
		CPE:   []string{"cpe:2.3:a:samba:samba:*:*:*:*:*:*:*:*"}, Confidence: 7, Method: fingerprint.MethodProbe})

	svc = smbServer(t, smbNegotiateResponse(0x0311, 3, guid), smbChallengeResponse(10, 0, 20348, "DC01", "CORP", "dc01.corp.example"))
	checkService(t, svc, fingerprint.Service{Name: "microsoft-ds", Product: "Microsoft Windows SMB", OS: "Windows 10.0 build 20348", Hostname: "dc01.corp.example",
		Extra: "dialect 3.1.1; signing required; server GUID " + guidText + "; NetBIOS domain CORP",
		CPE:   []string{"cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*"}, Confidence: 7, Method: fingerprint.MethodProbe})

	// No challenge (the server hung up after NEGOTIATE): NEGOTIATE facts only.
	svc = smbServer(t, smbNegotiateResponse(0x0210, 1, guid), nil)
	checkService(t, svc, fingerprint.Service{Name: "microsoft-ds",
		Extra:      "dialect 2.1; signing enabled, not required; server GUID " + guidText,
		Confidence: 7, Method: fingerprint.MethodProbe})
}

func TestSMBNegative(t *testing.T) {
	t.Parallel()
	if _, ok := (&SMB{}).MatchBanner([]byte("\x00\x00\x00\x10")); ok {
		t.Error("banner matched")
	}
	wantNoMatch(t, &SMB{}, httpServer(t), true)
	wantNoMatch(t, &SMB{}, canned(t, "SSH-2.0-OpenSSH_9.2p1\r\n"), true)
	wantNoMatch(t, &SMB{}, silentServer(t), false)
}

// TestSMBLive runs Debian's smbd as a standalone server on a random
// loopback port.
func TestSMBLive(t *testing.T) {
	const bin = "/usr/sbin/smbd"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("smbd not installed: apt-get install samba")
	}
	dir := t.TempDir()
	port := freePort(t)
	var conf strings.Builder
	fmt.Fprintf(&conf, "[global]\n workgroup = PORTWATCH\n netbios name = PWTEST\n server role = standalone server\n")
	fmt.Fprintf(&conf, " smb ports = %d\n interfaces = 127.0.0.1\n bind interfaces only = yes\n", port)
	fmt.Fprintf(&conf, " load printers = no\n printcap name = /dev/null\n disable spoolss = yes\n server services = -nbt\n")
	for _, d := range []string{"private dir", "lock directory", "state directory", "cache directory", "pid directory", "ncalrpc dir"} {
		p := filepath.Join(dir, strings.ReplaceAll(d, " ", "-"))
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, " %s = %s\n", d, p)
	}
	fmt.Fprintf(&conf, " log file = %s\n", filepath.Join(dir, "log"))
	cfg := filepath.Join(dir, "smb.conf")
	if err := os.WriteFile(cfg, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	daemon(t, bin, "--foreground", "--no-process-group", "--debug-stdout", "-s", cfg)
	addr := netipLoopback(port)
	waitListening(t, addr)
	svc := liveProbe(t, &SMB{}, addr, "", "")
	if svc.Name != "microsoft-ds" || svc.Product != "Samba smbd" || svc.Hostname == "" ||
		!strings.Contains(svc.Extra, "dialect 3.1.1") || !strings.Contains(svc.Extra, "NetBIOS domain PWTEST") {
		t.Errorf("got %+v", svc)
	}
}

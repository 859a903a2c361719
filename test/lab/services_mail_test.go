package lab_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/portwatch/portwatch/test/lab"
)

// checkFTP reads vsftpd's banner and checks that anonymous logins are
// refused as the truth says.
func checkFTP(conn net.Conn, want lab.Port) error {
	r := bufio.NewReader(conn)
	banner, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read banner: %w", err)
	}
	// vsftpd writes its name vsFTPd.
	if !strings.HasPrefix(banner, "220 (") ||
		!strings.HasSuffix(strings.ToLower(banner), strings.ToLower(want.Product)+" "+want.Version+")\r\n") {
		return fmt.Errorf("banner %q does not show %s %s", banner, want.Product, want.Version)
	}
	if _, err := io.WriteString(conn, "USER anonymous\r\n"); err != nil {
		return fmt.Errorf("send USER: %w", err)
	}
	reply, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read USER reply: %w", err)
	}
	refused := strings.HasPrefix(reply, "530 ")
	if refused != (want.Details["anonymous"] == "false") {
		return fmt.Errorf("USER anonymous answered %q, truth anonymous=%s", reply, want.Details["anonymous"])
	}
	return nil
}

// readSMTP reads one SMTP reply, all its lines, and returns its code and
// the text of its lines.
func readSMTP(r *bufio.Reader) (string, []string, error) {
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", lines, fmt.Errorf("read reply: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if len(line) < 4 {
			return "", lines, fmt.Errorf("short reply line %q", line)
		}
		lines = append(lines, line[4:])
		if line[3] == ' ' {
			return line[:3], lines, nil
		}
	}
}

// checkSMTP reads Exim's banner, asks EHLO, and upgrades with STARTTLS
// where the truth says so.
func checkSMTP(ctx context.Context, conn net.Conn, h lab.Host, want lab.Port) error {
	r := bufio.NewReader(conn)
	code, banner, err := readSMTP(r)
	if err != nil {
		return err
	}
	prefix := want.Details["hostname"] + " ESMTP " + want.Product + " " + want.Version + " "
	if code != "220" || !strings.HasPrefix(banner[0], prefix) {
		return fmt.Errorf("banner %s %q does not start with %q", code, banner, prefix)
	}
	if _, err := io.WriteString(conn, "EHLO scanner."+h.FQDN+"\r\n"); err != nil {
		return fmt.Errorf("send EHLO: %w", err)
	}
	code, ehlo, err := readSMTP(r)
	if err != nil {
		return err
	}
	offered := strings.Contains(strings.Join(ehlo, "\n"), "\nSTARTTLS")
	if code != "250" || offered != want.StartTLS {
		return fmt.Errorf("EHLO answered %s %q, truth starttls=%v", code, ehlo, want.StartTLS)
	}
	if !want.StartTLS {
		return nil
	}
	if _, err := io.WriteString(conn, "STARTTLS\r\n"); err != nil {
		return fmt.Errorf("send STARTTLS: %w", err)
	}
	if code, text, err := readSMTP(r); err != nil || code != "220" {
		return fmt.Errorf("STARTTLS answered %s %q, %v", code, text, err)
	}
	_, err = startTLS(ctx, conn, h)
	return err
}

// checkIMAP reads Dovecot's greeting (after TLS for imaps) and upgrades
// with STARTTLS where the truth says so.
func checkIMAP(ctx context.Context, conn net.Conn, h lab.Host, want lab.Port) error {
	r := bufio.NewReader(conn)
	greeting, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read greeting: %w", err)
	}
	if !strings.HasPrefix(greeting, "* OK ") || !strings.Contains(greeting, want.Product) {
		return fmt.Errorf("greeting %q lacks OK or %s", greeting, want.Product)
	}
	if err := hiddenVersion(greeting, want); err != nil {
		return err
	}
	if strings.Contains(greeting, "STARTTLS") != want.StartTLS {
		return fmt.Errorf("greeting %q: STARTTLS capability is not as truth starttls=%v", greeting, want.StartTLS)
	}
	if !want.StartTLS {
		return nil
	}
	if _, err := io.WriteString(conn, "a STARTTLS\r\n"); err != nil {
		return fmt.Errorf("send STARTTLS: %w", err)
	}
	if reply, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(reply, "a OK") {
		return fmt.Errorf("STARTTLS answered %q, %v", reply, err)
	}
	_, err = startTLS(ctx, conn, h)
	return err
}

// checkPOP3 reads Dovecot's greeting (after TLS for pop3s) and upgrades
// with STLS where the truth says so.
func checkPOP3(ctx context.Context, conn net.Conn, h lab.Host, want lab.Port) error {
	r := bufio.NewReader(conn)
	greeting, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read greeting: %w", err)
	}
	if !strings.HasPrefix(greeting, "+OK ") || !strings.Contains(greeting, want.Product) {
		return fmt.Errorf("greeting %q lacks +OK or %s", greeting, want.Product)
	}
	if err := hiddenVersion(greeting, want); err != nil {
		return err
	}
	if !want.StartTLS {
		return nil
	}
	if _, err := io.WriteString(conn, "STLS\r\n"); err != nil {
		return fmt.Errorf("send STLS: %w", err)
	}
	if reply, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(reply, "+OK") {
		return fmt.Errorf("STLS answered %q, %v", reply, err)
	}
	_, err = startTLS(ctx, conn, h)
	return err
}

// hiddenVersion checks the truth's claim that a greeting does not show the
// installed version.
func hiddenVersion(greeting string, want lab.Port) error {
	if want.Version == "" && strings.Contains(greeting, want.InstalledVersion) {
		return fmt.Errorf("greeting %q shows version %s, which the truth calls hidden", greeting, want.InstalledVersion)
	}
	return nil
}

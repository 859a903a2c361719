package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// writeCSV writes one RFC 4180 row (CRLF line ends) per listed port.
func writeCSV(w io.Writer, res *scan.Result, _ Options) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write([]string{"address", "hostname", "protocol", "port", "state", "reason", "rtt_ms",
		"service", "product", "version", "extra", "cpe", "confidence", "method"}); err != nil {
		return err
	}
	for _, h := range res.Hosts {
		name := ""
		if len(h.Hostnames) > 0 {
			name = h.Hostnames[0]
		}
		addr := addrString(h.Address)
		for _, p := range h.Ports {
			row := []string{addr, name, string(p.Protocol), strconv.Itoa(int(p.Port)),
				string(p.State), string(p.Reason), rttMillis(p.RTT), "", "", "", "", "", "", ""}
			if s := p.Service; s != nil {
				copy(row[7:], []string{s.Name, s.Product, s.Version, s.Extra, strings.Join(s.CPE, " "),
					strconv.Itoa(s.Confidence), string(s.Method)})
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// rttMillis formats a round trip in milliseconds rounded to the microsecond,
// as the JSON rtt_ms field does; "" when there was no answer.
func rttMillis(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	ms := math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000
	return strconv.FormatFloat(ms, 'f', -1, 64)
}

package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/portwatch/portwatch/internal/scan"
)

// minTimeoutMicros is the smallest probe timeout nmap reports in <times to>.
const minTimeoutMicros = 100_000

// writeXML writes nmap-compatible XML (nmap -oX, xmloutputversion 1.05).
func writeXML(w io.Writer, res *scan.Result, _ Options) error {
	if _, err := io.WriteString(w, xml.Header+"<!DOCTYPE nmaprun>\n"); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(buildRun(res)); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// buildRun maps a result onto the nmap XML model.
func buildRun(res *scan.Result) *xmlRun {
	name, version := splitScanner(res.Scanner)
	run := &xmlRun{
		Scanner:          name,
		Args:             shellJoin(res.Args),
		Start:            unixAttr(res.Started),
		Version:          version,
		XMLOutputVersion: "1.05",
		ScanInfo:         buildScanInfo(res),
		Verbose:          xmlLevel{"0"},
		Debugging:        xmlLevel{"0"},
	}
	if !res.Started.IsZero() {
		run.StartStr = ctime(res.Started)
	}
	for _, e := range res.Errors {
		run.Targets = append(run.Targets, xmlTarget{Specification: e.Target, Status: "skipped", Reason: "invalid"})
		run.Outputs = append(run.Outputs, xmlOutput{Type: "interactive", Text: targetErrorText(e)})
	}
	for i := range res.Hosts {
		run.Hosts = append(run.Hosts, buildHost(res, &res.Hosts[i]))
	}
	run.RunStats = buildRunStats(name, res)
	return run
}

// buildScanInfo lists, per protocol, the ports scanned: from the result's
// Scanned list when it has one, else the ports that appear in the result
// (a result read back from a file may lack the list).
func buildScanInfo(res *scan.Result) []xmlScanInfo {
	if len(res.Scanned) > 0 {
		infos := make([]xmlScanInfo, 0, len(res.Scanned))
		for _, si := range res.Scanned {
			infos = append(infos, xmlScanInfo{
				Type:        si.Type,
				Protocol:    string(si.Protocol),
				NumServices: strconv.Itoa(si.Count),
				Services:    portRanges(slices.Compact(slices.Sorted(slices.Values(si.Ports)))),
			})
		}
		return infos
	}
	byProto := map[scan.Protocol][]uint16{}
	for _, h := range res.Hosts {
		for _, p := range h.Ports {
			byProto[p.Protocol] = append(byProto[p.Protocol], p.Port)
		}
	}
	if len(byProto) == 0 {
		byProto[scan.TCP] = nil
	}
	protos := make([]scan.Protocol, 0, len(byProto))
	for p := range byProto {
		protos = append(protos, p)
	}
	slices.SortFunc(protos, func(a, b scan.Protocol) int {
		// tcp before udp before anything else, as nmap writes them.
		return cmp.Or(cmp.Compare(protoRank(a), protoRank(b)), cmp.Compare(a, b))
	})
	infos := make([]xmlScanInfo, 0, len(protos))
	for _, p := range protos {
		ports := slices.Compact(slices.Sorted(slices.Values(byProto[p])))
		typ := string(p)
		if p == scan.TCP {
			typ = "connect"
		}
		infos = append(infos, xmlScanInfo{
			Type:        typ,
			Protocol:    string(p),
			NumServices: strconv.Itoa(len(ports)),
			Services:    portRanges(ports),
		})
	}
	return infos
}

// protoRank orders protocols for scaninfo.
func protoRank(p scan.Protocol) int {
	switch p {
	case scan.TCP:
		return 0
	case scan.UDP:
		return 1
	}
	return 2
}

// buildHost maps one host. Down hosts get status and address only.
func buildHost(res *scan.Result, h *scan.HostResult) xmlHost {
	addrType := "ipv6"
	if h.Address.Is4() {
		addrType = "ipv4"
	}
	x := xmlHost{
		StartTime: unixAttr(res.Started),
		EndTime:   unixAttr(res.Finished),
		Status:    xmlStatus{State: cmp.Or(string(h.Status), string(scan.HostUnknown)), Reason: toNmapReason(h.Reason), ReasonTTL: "0"},
		Addresses: []xmlAddress{{Addr: addrString(h.Address), AddrType: addrType}},
	}
	for _, n := range h.Hostnames {
		x.Hostnames.Names = append(x.Hostnames.Names, xmlHostname{Name: n, Type: "user"})
	}
	if h.Wildcard {
		x.HostScript = &xmlHostScript{Scripts: []xmlScript{{ID: wildcardScriptID, Output: h.Note}}}
	}
	if len(h.Ports) > 0 || len(h.OtherStates) > 0 {
		x.Ports = &xmlPorts{}
		for _, c := range sortedCounts(h.OtherStates) {
			// The result does not say why omitted ports are in their
			// state, so no <extrareasons> are invented for them.
			x.Ports.Extra = append(x.Ports.Extra, xmlExtraPorts{State: string(c.State), Count: strconv.Itoa(c.Count)})
		}
		for _, p := range h.Ports {
			x.Ports.Ports = append(x.Ports.Ports, xmlPort{
				Protocol: string(p.Protocol),
				PortID:   strconv.Itoa(int(p.Port)),
				State:    xmlState{State: string(p.State), Reason: toNmapReason(p.Reason), ReasonTTL: "0"},
				Service:  toXMLService(p.Service),
			})
		}
	}
	x.Times = buildTimes(h.Ports)
	return x
}

// buildTimes estimates nmap's <times> from the ports' round trips: the mean,
// the mean deviation, and a timeout of mean + 4 deviations (at least
// 100 ms), in microseconds. nil when no port answered.
func buildTimes(ports []scan.PortResult) *xmlTimes {
	var sum float64
	var n int
	for _, p := range ports {
		if p.RTT > 0 {
			sum += float64(p.RTT / time.Microsecond)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	mean := sum / float64(n)
	var dev float64
	for _, p := range ports {
		if p.RTT > 0 {
			dev += math.Abs(float64(p.RTT/time.Microsecond) - mean)
		}
	}
	dev /= float64(n)
	to := max(mean+4*dev, minTimeoutMicros)
	return &xmlTimes{
		SRTT:   strconv.FormatInt(int64(math.Round(mean)), 10),
		RTTVar: strconv.FormatInt(int64(math.Round(dev)), 10),
		To:     strconv.FormatInt(int64(math.Round(to)), 10),
	}
}

// buildRunStats maps the run summary.
func buildRunStats(scanner string, res *scan.Result) xmlRunStats {
	st := res.Stats
	elapsed := fmt.Sprintf("%.2f", float64(st.DurationMS)/1000)
	total := st.HostsUp + st.HostsDown
	f := xmlFinished{
		Time:    cmp.Or(unixAttr(res.Finished), "0"),
		Elapsed: elapsed,
		Exit:    "success",
	}
	if !res.Finished.IsZero() {
		f.TimeStr = ctime(res.Finished)
	}
	f.Summary = fmt.Sprintf("%s done at %s; %s (%s up) scanned in %s seconds",
		scanner, cmp.Or(f.TimeStr, "unknown time"), plural(total, "IP address", "IP addresses"), plural(st.HostsUp, "host", "hosts"), elapsed)
	if st.Interrupted {
		f.Exit = "error"
		f.ErrorMsg = "scan interrupted; results cover only what was measured"
	}
	return xmlRunStats{
		Finished: f,
		Hosts: xmlHostCounts{
			Up:    strconv.Itoa(st.HostsUp),
			Down:  strconv.Itoa(st.HostsDown),
			Total: strconv.Itoa(total),
		},
	}
}

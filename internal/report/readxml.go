package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/scan"
)

// ReadNmapXML loads an nmap XML file, written by nmap -oX or by portwatch's
// xml format, into a result. Services, OS guesses, scripts and traceroutes
// are ignored; per-port round trips are not in the format and stay zero.
// Stats.Endpoints and Stats.Open are counted from the hosts.
func ReadNmapXML(r io.Reader) (*scan.Result, error) {
	var run xmlRun
	dec := xml.NewDecoder(r)
	if err := dec.Decode(&run); err != nil {
		return nil, fmt.Errorf("read nmap XML: %w", err)
	}
	res, err := resultFromRun(&run)
	if err != nil {
		return nil, fmt.Errorf("read nmap XML: %w", err)
	}
	return res, nil
}

// resultFromRun maps the nmap XML model onto a result.
func resultFromRun(run *xmlRun) (*scan.Result, error) {
	res := &scan.Result{Scanner: joinScanner(run.Scanner, run.Version), Hosts: []scan.HostResult{}}
	var err error
	if res.Args, err = shellSplit(run.Args); err != nil {
		res.Args = strings.Fields(run.Args) // nmap writes args unquoted
	}
	if res.Started, err = parseUnixAttr("start", run.Start); err != nil {
		return nil, fmt.Errorf("nmaprun: %w", err)
	}
	if res.Finished, err = parseUnixAttr("time", run.RunStats.Finished.Time); err != nil {
		return nil, fmt.Errorf("runstats finished: %w", err)
	}
	res.Errors = targetErrors(run)
	for i := range run.Hosts {
		h, err := hostFromXML(&run.Hosts[i])
		if err != nil {
			return nil, fmt.Errorf("host %d: %w", i+1, err)
		}
		res.Hosts = append(res.Hosts, h)
		res.Stats.Endpoints += uint64(len(h.Ports))
		for _, n := range h.OtherStates {
			res.Stats.Endpoints += uint64(n)
		}
		for _, p := range h.Ports {
			if p.State == scan.Open {
				res.Stats.Open++
			}
		}
	}
	return res, statsFromXML(&run.RunStats, &res.Stats)
}

// targetErrors rebuilds the skipped targets; the message comes from the
// matching <output> line when there is one.
func targetErrors(run *xmlRun) []scan.TargetError {
	msgs := map[string]string{}
	for _, o := range run.Outputs {
		if e, ok := parseTargetErrorText(o.Text); ok {
			msgs[e.Target] = e.Error
		}
	}
	var errs []scan.TargetError
	for _, t := range run.Targets {
		msg, ok := msgs[t.Specification]
		if !ok {
			msg = strings.TrimSpace("skipped " + t.Reason)
		}
		errs = append(errs, scan.TargetError{Target: t.Specification, Error: msg})
	}
	return errs
}

// hostFromXML maps one <host>.
func hostFromXML(x *xmlHost) (scan.HostResult, error) {
	h := scan.HostResult{
		Hostnames:   []string{},
		Status:      scan.HostStatus(x.Status.State),
		Reason:      fromNmapReason(x.Status.Reason),
		Ports:       []scan.PortResult{},
		OtherStates: map[scan.PortState]int{},
	}
	if h.Status == "" {
		h.Status = scan.HostUnknown
	}
	for _, a := range x.Addresses {
		if a.AddrType != "ipv4" && a.AddrType != "ipv6" && a.AddrType != "" {
			continue // mac addresses
		}
		addr, err := netip.ParseAddr(a.Addr)
		if err != nil {
			return h, fmt.Errorf("address %q: %w", a.Addr, err)
		}
		h.Address = addr
		break
	}
	if !h.Address.IsValid() {
		return h, fmt.Errorf("no IPv4 or IPv6 address")
	}
	for _, n := range x.Hostnames.Names {
		if n.Name != "" && !slices.Contains(h.Hostnames, n.Name) {
			h.Hostnames = append(h.Hostnames, n.Name)
		}
	}
	if x.HostScript != nil {
		for _, s := range x.HostScript.Scripts {
			if s.ID == wildcardScriptID {
				h.Wildcard, h.Note = true, s.Output
			}
		}
	}
	if x.Ports == nil {
		return h, nil
	}
	for _, e := range x.Ports.Extra {
		n, err := strconv.Atoi(e.Count)
		if err != nil || n < 0 {
			return h, fmt.Errorf("extraports state %q: bad count %q", e.State, e.Count)
		}
		h.OtherStates[scan.PortState(e.State)] += n
	}
	for _, p := range x.Ports.Ports {
		id, err := strconv.ParseUint(p.PortID, 10, 16)
		if err != nil {
			return h, fmt.Errorf("port %q: %w", p.PortID, err)
		}
		h.Ports = append(h.Ports, scan.PortResult{
			Addr:     h.Address,
			Protocol: scan.Protocol(p.Protocol),
			Port:     uint16(id),
			State:    scan.PortState(p.State.State),
			Reason:   fromNmapReason(p.State.Reason),
			Service:  fromXMLService(p.Service),
		})
	}
	return h, nil
}

// statsFromXML reads <runstats>.
func statsFromXML(rs *xmlRunStats, st *scan.Stats) error {
	var err error
	if st.HostsUp, err = atoiAttr("hosts up", rs.Hosts.Up); err != nil {
		return err
	}
	if st.HostsDown, err = atoiAttr("hosts down", rs.Hosts.Down); err != nil {
		return err
	}
	if rs.Finished.Elapsed != "" {
		sec, err := strconv.ParseFloat(rs.Finished.Elapsed, 64)
		if err != nil || !(sec >= 0 && sec <= math.MaxInt64/1e3) {
			return fmt.Errorf("runstats elapsed %q: not a duration in seconds", rs.Finished.Elapsed)
		}
		st.DurationMS = int64(math.Round(sec * 1000))
	}
	st.Interrupted = rs.Finished.Exit == "error"
	return nil
}

// atoiAttr reads a non-negative integer attribute; "" is 0.
func atoiAttr(name, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q: not a count", name, s)
	}
	return n, nil
}

package daemon

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/config"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/policy"
)

// Snapshot is the running configuration as the API, dashboard and
// metrics read it. It is immutable: a reload makes a new one.
type Snapshot struct {
	// Config is the effective configuration (the files' monitors plus
	// those created through the API).
	Config   *config.Config
	Policy   *policy.Engine
	Location model.Location
	Monitors []MonitorInfo
	Jobs     []JobInfo
}

// MonitorInfo is one monitor with the endpoints its host resolved to.
type MonitorInfo struct {
	Name      string            `json:"name"`
	Source    string            `json:"source"` // "config" or "api"
	Host      string            `json:"host"`
	Port      uint16            `json:"port"`
	Protocol  string            `json:"protocol"`
	Expect    string            `json:"expect"`
	Interval  Duration          `json:"interval"`
	Timeout   Duration          `json:"timeout"`
	Group     string            `json:"group,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	Endpoints []model.Endpoint  `json:"endpoints"`
	// Defined is where the monitor was written ("file:line", or
	// "api" for runtime monitors).
	Defined string `json:"defined"`
}

// JobInfo is one discovery job.
type JobInfo struct {
	Name             string   `json:"name"`
	Targets          []string `json:"targets"`
	Groups           []string `json:"groups,omitempty"`
	Ports            string   `json:"ports"`
	ScanType         string   `json:"scan_type"`
	ServiceDetection bool     `json:"service_detection"`
	Interval         Duration `json:"interval,omitempty"`
	Schedule         string   `json:"schedule,omitempty"`
	Defined          string   `json:"defined"`
}

// Duration marshals as a Go duration string ("30s").
type Duration time.Duration

// MarshalText renders the duration as "1m30s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Current returns the running configuration.
func (d *Daemon) Current() *Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.plan.snapshot
}

// States returns the current state of every tracked endpoint, ordered by
// address, protocol, port and location. It reads memory, not the store.
func (d *Daemon) States() []model.EndpointState {
	s := d.rec.tracker.States()
	slices.SortFunc(s, func(a, b model.EndpointState) int {
		if c := a.Endpoint.Addr.Compare(b.Endpoint.Addr); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Endpoint.Protocol), string(b.Endpoint.Protocol)); c != 0 {
			return c
		}
		if c := int(a.Endpoint.Port) - int(b.Endpoint.Port); c != 0 {
			return c
		}
		return strings.Compare(string(a.Location), string(b.Location))
	})
	return s
}

// OpenFindings returns every open finding, newest first.
func (d *Daemon) OpenFindings() []model.Finding {
	out := d.rec.openFindings()
	slices.SortFunc(out, func(a, b model.Finding) int {
		if c := b.Opened.Compare(a.Opened); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	return out
}

// snapshotOf builds the read model of a compiled plan.
func snapshotOf(p *plan) *Snapshot {
	s := &Snapshot{Config: p.cfg, Policy: p.policy, Location: p.location}
	for _, m := range p.monitors {
		src, defined := "config", m.cfg.Pos.String()
		if m.cfg.Pos.File == config.RuntimeFile {
			src, defined = "api", "api"
		}
		s.Monitors = append(s.Monitors, MonitorInfo{
			Name: m.cfg.Name, Source: src, Host: m.cfg.Host, Port: m.cfg.Port, Protocol: m.cfg.Protocol, Expect: m.cfg.Expect,
			Interval: Duration(m.cfg.Interval), Timeout: Duration(m.cfg.Timeout), Group: m.cfg.Group, Labels: m.cfg.Labels,
			Endpoints: m.endpoints, Defined: defined,
		})
	}
	for _, j := range p.discovery {
		ji := JobInfo{Name: j.cfg.Name, Targets: j.cfg.Targets, Groups: j.cfg.Groups, Ports: j.cfg.PortSpec, ScanType: j.cfg.ScanType,
			ServiceDetection: j.cfg.ServiceDetection, Interval: Duration(j.cfg.Interval), Defined: j.cfg.Pos.String()}
		if ji.Ports == "" && j.cfg.TopPorts > 0 {
			ji.Ports = "top " + strconv.Itoa(j.cfg.TopPorts)
		}
		if j.cfg.Schedule != nil {
			ji.Schedule = j.cfg.Schedule.String()
		}
		s.Jobs = append(s.Jobs, ji)
	}
	return s
}

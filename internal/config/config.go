// Package config is portwatch's configuration as code: the YAML schema of
// `portwatch serve` (scope, groups, discovery jobs, monitors, policies,
// server and retention), loading from a file or a directory of files,
// ${ENV} expansion, defaults and complete validation with file:line on
// every error. docs/config.md documents every key.
package config

import (
	"time"

	"github.com/portwatch/portwatch/internal/target"
)

// Config is a complete, validated configuration. Treat it as read-only:
// the daemon swaps whole Configs on reload.
type Config struct {
	Server    Server
	Retention Retention
	// Scope is every address, range or hostname this daemon may ever probe.
	Scope     []string
	Groups    []Group
	Discovery []DiscoveryJob
	Monitors  []Monitor
	Policies  []Policy
	// Notifiers, Routes, Alerting and Maintenance configure alerting
	// (docs/alerting.md).
	Notifiers   []Notifier
	Routes      []Route
	Alerting    Alerting
	Maintenance []Maintenance
	// Files are the files the configuration was loaded from, in load order.
	Files []string
}

// Server is the daemon's own settings.
type Server struct {
	Listen   string // HTTP listen address; default 127.0.0.1:7070
	DB       string // store DSN (a SQLite file path); default portwatch.db
	Location string // the vantage point recorded on observations; default "local"
	// TLSCert and TLSKey are PEM files for HTTPS. A listen address other
	// than loopback requires TLS: without them a self-signed certificate
	// is generated next to the database.
	TLSCert string
	TLSKey  string
	// MetricsPublic serves /metrics without a token (default: a viewer
	// token is required, like every other non-health endpoint).
	MetricsPublic bool
	Pos           Pos
}

// Retention says how long history is kept.
type Retention struct {
	Observations  time.Duration // raw observations; default 7d
	MinuteRollups time.Duration // per-minute rollups; default 30d
	HourRollups   time.Duration // per-hour rollups; default 400d
	Pos           Pos
}

// Group is a named set of targets with labels; policies apply per group.
type Group struct {
	Name           string
	Targets        []string
	Labels         map[string]string
	InternetFacing bool
	Pos            Pos
}

// Scan types of a discovery job.
const (
	ScanConnect = "connect"
	ScanSYN     = "syn"
	ScanUDP     = "udp"
)

// DiscoveryJob periodically scans targets × ports.
type DiscoveryJob struct {
	Name    string
	Targets []string // explicit targets plus the targets of Groups
	Groups  []string
	// PortSpec is the port specification as written ("" with TopPorts).
	PortSpec string
	TopPorts int          // the n most common ports, when PortSpec is empty
	Ports    target.Ports // resolved ports for the scan type's protocol
	ScanType string       // connect, syn or udp
	// ServiceDetection runs service/version detection on open ports (-sV).
	ServiceDetection bool
	// Exactly one of Interval and Schedule is set.
	Interval time.Duration
	Schedule *Schedule
	Rate     int // packets per second; 0 means no limit
	Pos      Pos
}

// Monitor checks one endpoint on a fixed interval.
type Monitor struct {
	Name     string
	Host     string // address or hostname
	Port     uint16
	Protocol string // tcp or udp
	Expect   string // open or closed
	Interval time.Duration
	Timeout  time.Duration
	// LatencyWarn and LatencyCrit are thresholds on the check's RTT; 0 is off.
	LatencyWarn time.Duration
	LatencyCrit time.Duration
	// FailureThreshold is how many consecutive failed checks of an
	// expect: open monitor raise a finding.
	FailureThreshold int
	// SuccessThreshold is how many consecutive open checks resolve an
	// expect: open monitor's finding (default 1).
	SuccessThreshold int
	Group            string
	Labels           map[string]string
	Pos              Pos
}

// ServicePort is a port of one protocol.
type ServicePort struct {
	Protocol string // tcp or udp
	Port     uint16
}

// Policy says which ports of a group may, must not, or must be what.
type Policy struct {
	Group string
	// Allowed, when set, is the only ports that may be open; anything else
	// open is a violation. Nil lists mean "no allow-list".
	Allowed target.Ports
	// Forbidden ports must never be open.
	Forbidden target.Ports
	// ExpectedServices maps a port to the service that must answer on it.
	ExpectedServices map[ServicePort]string
	Pos              Pos
}

// DefaultForbiddenPorts is the forbidden_ports of an internet-facing group
// whose policy gives none (docs/config.md says why each port is there).
const DefaultForbiddenPorts = "T:22,23,2375,3306,3389,5432,6379,9200,11211,27017"

// Default values of optional keys.
const (
	DefaultListen           = "127.0.0.1:7070"
	DefaultDB               = "portwatch.db"
	DefaultLocation         = "local"
	DefaultObservations     = 7 * Day
	DefaultMinuteRollups    = 30 * Day
	DefaultHourRollups      = 400 * Day
	DefaultTopPorts         = 1000
	DefaultMonitorInterval  = time.Minute
	DefaultMonitorTimeout   = 5 * time.Second
	DefaultFailureThreshold = 3
	MinMonitorInterval      = time.Second
)

// Default is the configuration of `portwatch serve` without a config file:
// this machine's loopback only, one discovery job scanning the top 1000 TCP
// ports of 127.0.0.1 and ::1 with connect scans every 60 s, no monitors,
// no policies.
func Default() *Config {
	tcp, _ := target.TopPorts("tcp", DefaultTopPorts)
	return &Config{
		Server: Server{Listen: DefaultListen, DB: DefaultDB, Location: DefaultLocation},
		Retention: Retention{
			Observations: DefaultObservations, MinuteRollups: DefaultMinuteRollups, HourRollups: DefaultHourRollups,
		},
		Scope: []string{"127.0.0.0/8", "::1"},
		Discovery: []DiscoveryJob{{
			Name:     "loopback",
			Targets:  []string{"127.0.0.1", "::1"},
			TopPorts: DefaultTopPorts,
			Ports:    target.Ports{TCP: tcp},
			ScanType: ScanConnect,
			Interval: time.Minute,
		}},
	}
}

package config

import (
	"net"

	"gopkg.in/yaml.v3"
)

// located is a value with where it was written.
type located struct {
	value string
	pos   Pos
}

// draft is the merged, not yet cross-checked content of every file.
type draft struct {
	server    *Server
	retention *Retention
	scope     []located
	groups    []groupSrc
	discovery []discoverySrc
	monitors  []monitorSrc
	policies  []policySrc
	files     []string

	notifiers   []Notifier
	routes      []routeSrc
	alerting    *Alerting
	maintenance []Maintenance
}

// addServer decodes the server section, defaulted then validated.
func (dr *draft) addServer(d *decoder, n *yaml.Node) {
	const entity = "server"
	if dr.server != nil {
		d.errorf(n, entity, "section repeated (first at %s)", dr.server.Pos)
		return
	}
	s := &Server{Listen: DefaultListen, DB: DefaultDB, Location: DefaultLocation, Pos: d.pos(n)}
	dr.server = s
	d.fields(n, entity, map[string]func(*yaml.Node){
		"listen": func(v *yaml.Node) {
			if str, ok := d.str(v, entity, "listen"); ok {
				if _, _, err := net.SplitHostPort(str); err != nil {
					d.errorf(v, entity, "listen: %q is not host:port", str)
					return
				}
				s.Listen = str
			}
		},
		"db": func(v *yaml.Node) {
			if str, ok := d.str(v, entity, "db"); ok {
				if str == "" {
					d.errorf(v, entity, "db: must not be empty")
					return
				}
				s.DB = str
			}
		},
		"location": func(v *yaml.Node) {
			if str, ok := d.str(v, entity, "location"); ok {
				if str == "" {
					d.errorf(v, entity, "location: must not be empty")
					return
				}
				s.Location = str
			}
		},
		"tls_cert":       func(v *yaml.Node) { s.TLSCert, _ = d.str(v, entity, "tls_cert") },
		"tls_key":        func(v *yaml.Node) { s.TLSKey, _ = d.str(v, entity, "tls_key") },
		"metrics_public": func(v *yaml.Node) { s.MetricsPublic = d.boolean(v, entity, "metrics_public") },
	})
	if (s.TLSCert == "") != (s.TLSKey == "") {
		d.errorf(n, entity, "tls_cert and tls_key go together: give both or neither")
	}
}

// addRetention decodes the retention section, defaulted then validated.
func (dr *draft) addRetention(d *decoder, n *yaml.Node) {
	const entity = "retention"
	if dr.retention != nil {
		d.errorf(n, entity, "section repeated (first at %s)", dr.retention.Pos)
		return
	}
	r := &Retention{Observations: DefaultObservations, MinuteRollups: DefaultMinuteRollups, HourRollups: DefaultHourRollups, Pos: d.pos(n)}
	dr.retention = r
	d.fields(n, entity, map[string]func(*yaml.Node){
		"observations": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "observations"); ok {
				r.Observations = x
			}
		},
		"minute_rollups": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "minute_rollups"); ok {
				r.MinuteRollups = x
			}
		},
		"hour_rollups": func(v *yaml.Node) {
			if x, ok := d.duration(v, entity, "hour_rollups"); ok {
				r.HourRollups = x
			}
		},
	})
}

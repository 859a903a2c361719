package tracker

import (
	"strings"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

// firstChanges returns the changes of a first sighting: "opened" when the
// endpoint is open, nothing otherwise. A discovery sweep sees thousands of
// closed or filtered ports it has never seen before; none of them changed,
// they were simply never looked at, so reporting them would bury the
// changes that matter.
func firstChanges(o model.Observation) []model.Change {
	if o.State != scan.Open {
		return nil
	}
	return []model.Change{newChange(o, model.ChangeOpened, "", string(scan.Open))}
}

// stateChanges returns at most one change for a transition of the port
// state. Entering open|filtered (a UDP port that stopped answering) counts
// as "filtered": the port can no longer be seen to be open; From/To carry
// the exact states.
func stateChanges(s *model.EndpointState, o model.Observation) []model.Change {
	if o.State == s.State {
		return nil
	}
	var kind model.ChangeKind
	switch o.State {
	case scan.Open:
		kind = model.ChangeOpened
	case scan.Closed:
		kind = model.ChangeClosed
	case scan.Filtered, scan.OpenFiltered:
		kind = model.ChangeFiltered
	default:
		return nil // an unknown state is recorded in the state, not named as a change
	}
	return []model.Change{newChange(o, kind, string(s.State), string(o.State))}
}

// serviceChanges compares the last known service with the observation's.
// Only an observation that carries a service can change it, and the first
// service ever identified is not a change (there was nothing to differ
// from). A different name is one service-changed (it implies a different
// product); otherwise product/version and the certificate are compared.
func serviceChanges(old *fingerprint.Service, o model.Observation) []model.Change {
	now := o.Service
	if old == nil || now == nil {
		return nil
	}
	if !strings.EqualFold(old.Name, now.Name) {
		return []model.Change{newChange(o, model.ChangeServiceChanged, old.Name, now.Name)}
	}
	var out []model.Change
	if old.Product != now.Product || old.Version != now.Version {
		out = append(out, newChange(o, model.ChangeVersionChanged, productVersion(old), productVersion(now)))
	}
	if a, b := certHash(old), certHash(now); a != "" && b != "" && !strings.EqualFold(a, b) {
		out = append(out, newChange(o, model.ChangeCertChanged, a, b))
	}
	return out
}

// newChange builds a change caused by observation o.
func newChange(o model.Observation, kind model.ChangeKind, from, to string) model.Change {
	return model.Change{Endpoint: o.Endpoint, Location: o.Location, Time: o.Time, Kind: kind, From: from, To: to}
}

// productVersion renders "OpenSSH 9.2p1" for a version change.
func productVersion(s *fingerprint.Service) string {
	return strings.TrimSpace(s.Product + " " + s.Version)
}

// certHash returns the leaf certificate's SHA-256, or "" without TLS.
func certHash(s *fingerprint.Service) string {
	if s.TLS == nil {
		return ""
	}
	return s.TLS.SHA256
}

// cloneService deep-copies the parts of a service that are reference
// types, so the tracker never aliases the caller's observation.
func cloneService(s *fingerprint.Service) *fingerprint.Service {
	if s == nil {
		return nil
	}
	c := *s
	if s.Distro != nil {
		d := *s.Distro
		c.Distro = &d
	}
	if s.TLS != nil {
		t := *s.TLS
		t.SANs = append([]string(nil), s.TLS.SANs...)
		c.TLS = &t
	}
	c.CPE = append([]string(nil), s.CPE...)
	return &c
}

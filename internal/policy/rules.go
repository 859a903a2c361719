package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/fingerprint"
	"github.com/portwatch/portwatch/internal/model"
	"github.com/portwatch/portwatch/internal/scan"
)

// verdicts appends the outcomes of the group's three port rules. Only the
// rules the group defines for this port are returned, so a finding whose
// rule was removed from the config is resolved by Evaluate.
func (g *compiledGroup) verdicts(state model.EndpointState, out []verdict) []verdict {
	ep := state.Endpoint
	isOpen := state.State == scan.Open
	forbidden := g.forbidden.has(ep.Protocol, ep.Port)
	if forbidden {
		v := verdict{outcome: holds, finding: model.Finding{Kind: model.FindingForbiddenPort, Endpoint: ep, Location: state.Location, Rule: g.rule}}
		if isOpen {
			v.outcome = violated
			v.finding = newFinding(model.FindingForbiddenPort, g.rule, state, g.Labels,
				fmt.Sprintf("%s but %d is forbidden in group %q", describe(state), ep.Port, g.Name))
		}
		out = append(out, v)
	}
	// A forbidden port is not also "unexpected": one critical finding says it.
	if allow := g.allowed[ep.Protocol]; len(allow) > 0 && !forbidden {
		if _, ok := allow[ep.Port]; !ok {
			v := verdict{outcome: holds, finding: model.Finding{Kind: model.FindingUnexpectedPort, Endpoint: ep, Location: state.Location, Rule: g.rule}}
			if isOpen {
				v.outcome = violated
				v.finding = newFinding(model.FindingUnexpectedPort, g.rule, state, g.Labels,
					fmt.Sprintf("%s but %d/%s is not in the allowed ports of group %q", describe(state), ep.Port, ep.Protocol, g.Name))
			}
			out = append(out, v)
		}
	}
	if want, ok := g.ExpectedServices[ep.Port]; ok && want != "" {
		out = append(out, g.serviceVerdict(state, want))
	}
	return out
}

// serviceVerdict checks the service on an open port against the expected
// name. An unidentified service ("unknown", or only guessed from the port
// number) proves nothing either way.
func (g *compiledGroup) serviceVerdict(state model.EndpointState, want string) verdict {
	v := verdict{outcome: holds, finding: model.Finding{Kind: model.FindingUnexpectedService, Endpoint: state.Endpoint, Location: state.Location, Rule: g.rule}}
	if state.State != scan.Open {
		return v // port closed: nothing wrong runs there any more
	}
	svc := state.Service
	if !identified(svc) {
		v.outcome = unknown
		return v
	}
	if strings.EqualFold(svc.Name, want) {
		return v
	}
	v.outcome = violated
	v.finding = newFinding(model.FindingUnexpectedService, g.rule, state, g.Labels,
		fmt.Sprintf("%s runs %s but group %q expects %s on port %d", state.Endpoint, serviceText(svc), g.Name, want, state.Endpoint.Port))
	return v
}

// monitorVerdict checks a monitor's expectation.
func monitorVerdict(m Monitor, state model.EndpointState, labels map[string]string) verdict {
	rule := "monitor:" + m.Name
	isOpen := state.State == scan.Open
	switch m.Expect {
	case ExpectClosed:
		v := verdict{outcome: holds, finding: model.Finding{Kind: model.FindingExpectedClosedOpen, Endpoint: state.Endpoint, Location: state.Location, Rule: rule}}
		if isOpen {
			v.outcome = violated
			v.finding = newFinding(model.FindingExpectedClosedOpen, rule, state, labels,
				fmt.Sprintf("%s but monitor %q expects it closed", describe(state), m.Name))
		}
		return v
	default: // ExpectOpen; the config validates the value
		v := verdict{outcome: holds, finding: model.Finding{Kind: model.FindingExpectedOpenDown, Endpoint: state.Endpoint, Location: state.Location, Rule: rule}}
		if isOpen {
			if state.Consecutive < max(m.SuccessThreshold, 1) {
				v.outcome = unknown // up again, not for long enough to resolve
			}
			return v
		}
		threshold := max(m.FailureThreshold, 1)
		if state.Consecutive < threshold {
			// Not down long enough to open, and not open again to resolve.
			v.outcome = unknown
			return v
		}
		v.outcome = violated
		v.finding = newFinding(model.FindingExpectedOpenDown, rule, state, labels,
			fmt.Sprintf("%s %s (%s) for %d consecutive checks since %s but monitor %q expects it open",
				state.Endpoint, state.State, state.Reason, state.Consecutive, state.Since.UTC().Format("2006-01-02T15:04:05Z"), m.Name))
		return v
	}
}

// latencyVerdicts appends the outcomes of a monitor's latency thresholds,
// one rule each ("monitor:NAME/latency-warn", ".../latency-crit"), so that
// crossing the critical threshold opens a major finding beside the
// warning. Only an open endpoint has a handshake time to judge: while it
// is not open, the thresholds neither open nor resolve anything (the
// monitor's expectation says what is wrong then).
func latencyVerdicts(m Monitor, state model.EndpointState, labels map[string]string, out []verdict) []verdict {
	for _, th := range []struct {
		limit    time.Duration
		name     string
		severity model.Severity
	}{{m.LatencyWarn, "latency-warn", model.SeverityWarning}, {m.LatencyCrit, "latency-crit", model.SeverityMajor}} {
		if th.limit <= 0 {
			continue
		}
		rule := "monitor:" + m.Name + "/" + th.name
		v := verdict{outcome: holds, finding: model.Finding{Kind: model.FindingSlowResponse, Endpoint: state.Endpoint, Location: state.Location, Rule: rule}}
		switch {
		case state.State != scan.Open || state.LastRTT <= 0:
			v.outcome = unknown
		case state.LastRTT > th.limit:
			v.outcome = violated
			v.finding = newFinding(model.FindingSlowResponse, rule, state, labels,
				fmt.Sprintf("%s answered in %v, over the %s threshold %v of monitor %q",
					state.Endpoint, state.LastRTT.Round(time.Microsecond), strings.TrimPrefix(th.name, "latency-"), th.limit, m.Name))
			v.finding.Severity = th.severity
		}
		out = append(out, v)
	}
	return out
}

// identified reports whether a service was really identified.
func identified(s *fingerprint.Service) bool {
	return s != nil && s.Name != "" && s.Name != "unknown" && s.Method != fingerprint.MethodPortHint
}

// describe renders "198.18.0.11:6379/tcp open (redis 7.0.15)".
func describe(state model.EndpointState) string {
	s := fmt.Sprintf("%s %s", state.Endpoint, state.State)
	if state.Service != nil && state.Service.Name != "" {
		s += " (" + serviceText(state.Service) + ")"
	}
	return s
}

// serviceText renders "ssh OpenSSH 9.2p1" or "redis 7.0.15".
func serviceText(s *fingerprint.Service) string {
	parts := []string{s.Name}
	if s.Product != "" && !strings.EqualFold(s.Product, s.Name) {
		parts = append(parts, s.Product)
	}
	if s.Version != "" {
		parts = append(parts, s.Version)
	}
	return strings.Join(parts, " ")
}

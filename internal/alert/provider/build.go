// Package provider builds notifiers from their configuration: one
// function per type maps the YAML keys of a `notifiers:` entry onto the
// provider package's Config and lets it validate. Unknown keys and bad
// values are errors with the file and line of the key.
package provider

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/alert/provider/email"
	"github.com/portwatch/portwatch/internal/alert/provider/opsgenie"
	"github.com/portwatch/portwatch/internal/alert/provider/pagerduty"
	"github.com/portwatch/portwatch/internal/alert/provider/shoutrrr"
	"github.com/portwatch/portwatch/internal/alert/provider/slack"
	"github.com/portwatch/portwatch/internal/alert/provider/syslog"
	"github.com/portwatch/portwatch/internal/alert/provider/teams"
	"github.com/portwatch/portwatch/internal/alert/provider/webhook"
	"github.com/portwatch/portwatch/internal/config"
)

// Incident-based providers get one message per finding, so that each
// finding resolves its own incident.
var incidentKinds = []string{"pagerduty", "opsgenie"}

// Ungrouped reports whether notifiers of type kind track incidents.
func Ungrouped(kind string) bool { return slices.Contains(incidentKinds, kind) }

// keys reads one notifier's settings and remembers which were used.
type keys struct {
	n    config.Notifier
	used map[string]bool
	errs []string
}

func (k *keys) at(key string) string {
	if p, ok := k.n.KeyPos[key]; ok {
		return p.String()
	}
	return k.n.Pos.String()
}

func (k *keys) fail(key, format string, a ...any) {
	k.errs = append(k.errs, fmt.Sprintf("notifier %q (%s): %s: %s", k.n.Name, k.at(key), key, fmt.Sprintf(format, a...)))
}

func (k *keys) str(key string) string {
	k.used[key] = true
	return k.n.Settings[key]
}

func (k *keys) list(key string) []string {
	k.used[key] = true
	if v, ok := k.n.Lists[key]; ok {
		return v
	}
	if v := k.n.Settings[key]; v != "" {
		return []string{v}
	}
	return nil
}

func (k *keys) dict(key string) map[string]string {
	k.used[key] = true
	return k.n.Maps[key]
}

func (k *keys) duration(key string) time.Duration {
	s := k.str(key)
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		k.fail(key, "%q is not a positive duration", s)
		return 0
	}
	return d
}

func (k *keys) integer(key string) int {
	s := k.str(key)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		k.fail(key, "%q is not a number", s)
	}
	return n
}

func (k *keys) boolean(key string) bool {
	s := k.str(key)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		k.fail(key, "%q is not true or false", s)
	}
	return b
}

// Build makes the notifier a configuration entry describes.
func Build(n config.Notifier) (notify.Notifier, error) {
	k := &keys{n: n, used: map[string]bool{}}
	var (
		out notify.Notifier
		err error
	)
	switch n.Type {
	case "webhook":
		out, err = webhook.New(webhook.Config{URL: k.str("url"), Secret: k.str("secret"), Headers: k.dict("headers"), Timeout: k.duration("timeout")})
	case "slack":
		out, err = slack.New(slack.Config{URL: k.str("url"), Timeout: k.duration("timeout")})
	case "teams":
		out, err = teams.New(teams.Config{URL: k.str("url"), Timeout: k.duration("timeout")})
	case "pagerduty":
		out, err = pagerduty.New(pagerduty.Config{RoutingKey: k.str("routing_key"), URL: k.str("url"), Timeout: k.duration("timeout")})
	case "opsgenie":
		out, err = opsgenie.New(opsgenie.Config{APIKey: k.str("api_key"), APIURL: k.str("api_url"), Responders: k.list("responders"), Timeout: k.duration("timeout")})
	case "email":
		out, err = email.New(email.Config{Host: k.str("host"), Port: k.integer("port"), Username: k.str("username"), Password: k.str("password"),
			From: k.str("from"), To: k.list("to"), TLS: k.str("tls"), InsecureSkipVerify: k.boolean("insecure_skip_verify"),
			RootCAs: k.str("root_cas"), Timeout: k.duration("timeout"), SubjectPrefix: k.str("subject_prefix"), LocalName: k.str("local_name")})
	case "syslog":
		out, err = syslog.New(syslog.Config{Network: k.str("network"), Address: k.str("address"), Facility: k.str("facility"),
			Format: k.str("format"), Hostname: k.str("hostname"), RootCAs: k.str("root_cas"), InsecureSkipVerify: k.boolean("insecure_skip_verify"),
			Timeout: k.duration("timeout"), ProductVersion: k.str("product_version")})
	case "shoutrrr":
		out, err = shoutrrr.New(shoutrrr.Config{URL: k.str("url"), Timeout: k.duration("timeout")})
	default:
		return nil, fmt.Errorf("notifier %q (%s): unknown type %q (want %s)", n.Name, n.Pos, n.Type, strings.Join(config.NotifierTypes, ", "))
	}
	var unknown []string
	for key := range n.KeyPos {
		if key != "name" && key != "type" && !k.used[key] {
			unknown = append(unknown, key)
		}
	}
	sort.Strings(unknown)
	for _, key := range unknown {
		k.fail(key, "unknown key for type %s", n.Type)
	}
	if err != nil {
		k.errs = append(k.errs, fmt.Sprintf("notifier %q (%s): %v", n.Name, n.Pos, err))
	}
	if len(k.errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(k.errs, "\n"))
	}
	return out, nil
}

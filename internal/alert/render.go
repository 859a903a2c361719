package alert

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/portwatch/portwatch/internal/alert/notify"
	"github.com/portwatch/portwatch/internal/model"
)

// Templates render a message's Title and Text (Go text/template). The
// data is the notify.Message itself, with Title empty while the title is
// rendered.
type Templates struct {
	Title *template.Template
	Text  *template.Template
}

const defaultTitle = `{{if eq .Event "resolve"}}[RESOLVED] {{else if eq .Event "flapping"}}[FLAPPING] {{else if eq .Event "stable"}}[STABLE] {{else if eq .Event "reminder"}}[STILL OPEN] {{else}}[{{upper .Severity}}] {{end}}` +
	`{{with index .Items 0}}{{if eq (len $.Items) 1}}{{.Kind}}: {{.Message}}{{else if eq (hosts $.Items) 1}}{{len $.Items}} findings on {{.Host}}{{else}}{{len $.Items}} findings on {{hosts $.Items}} hosts{{end}}{{end}}`

const defaultText = `{{range .Items}}- {{.Message}}
  {{.Kind}} ({{.Severity}}), state {{.State}}{{with .Reason}} ({{.}}){{end}} since {{.Since.UTC.Format "2006-01-02 15:04:05Z"}}{{with .Service}}, service {{.}}{{end}}{{with .Rule}}, rule {{.}}{{end}}
{{with .Action}}  what to do: {{.}}
{{end}}{{end}}{{with .Runbook}}Runbook: {{.}}
{{end}}{{with .URL}}Details: {{.}}
{{end}}Route {{.Route}}{{with .Location}}, seen from {{.}}{{end}}, {{.Time.UTC.Format "2006-01-02 15:04:05Z"}}.`

var funcs = template.FuncMap{
	"upper": func(s notify.Severity) string { return strings.ToUpper(string(s)) },
	"hosts": func(items []notify.Item) int {
		seen := map[string]bool{}
		for _, it := range items {
			seen[it.Host] = true
		}
		return len(seen)
	},
}

// DefaultTemplates returns the built-in templates.
func DefaultTemplates() Templates {
	return Templates{
		Title: template.Must(template.New("title").Funcs(funcs).Parse(defaultTitle)),
		Text:  template.Must(template.New("text").Funcs(funcs).Parse(defaultText)),
	}
}

// ParseTemplates parses user templates; empty strings keep the defaults.
func ParseTemplates(title, text string) (Templates, error) {
	t := DefaultTemplates()
	var err error
	if title != "" {
		if t.Title, err = template.New("title").Funcs(funcs).Parse(title); err != nil {
			return t, fmt.Errorf("title template: %w", err)
		}
	}
	if text != "" {
		if t.Text, err = template.New("text").Funcs(funcs).Parse(text); err != nil {
			return t, fmt.Errorf("text template: %w", err)
		}
	}
	return t, nil
}

// render fills m.Title and m.Text.
func (t Templates) render(m *notify.Message) error {
	var b bytes.Buffer
	if err := t.Title.Execute(&b, m); err != nil {
		return fmt.Errorf("render title: %w", err)
	}
	title := strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := t.Text.Execute(&b, m); err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	m.Title, m.Text = title, b.String()
	return nil
}

// findingItem describes a finding for a message.
func findingItem(f model.Finding, state model.EndpointState) notify.Item {
	it := notify.Item{
		Kind:      string(f.Kind),
		Severity:  notify.Severity(f.Severity),
		Endpoint:  f.Endpoint.String(),
		Host:      f.Endpoint.Addr.String(),
		Port:      f.Endpoint.Port,
		Protocol:  string(f.Endpoint.Protocol),
		State:     string(state.State),
		Reason:    string(state.Reason),
		Since:     f.Opened,
		Message:   f.Message,
		Rule:      f.Rule,
		Action:    action(f),
		FindingID: f.ID,
	}
	if !state.Since.IsZero() {
		it.Since = state.Since
	}
	if s := state.Service; s != nil && s.Name != "" {
		it.Service = strings.TrimSpace(strings.Join([]string{s.Name, s.Product, s.Version}, " "))
	}
	if f.Resolved != nil {
		it.Since = *f.Resolved
	}
	return it
}

// action suggests what to do about a finding.
func action(f model.Finding) string {
	_, name, _ := strings.Cut(f.Rule, ":")
	switch f.Kind {
	case model.FindingForbiddenPort:
		return fmt.Sprintf("close port %d/%s (firewall or stop the service); it is forbidden by %s", f.Endpoint.Port, f.Endpoint.Protocol, f.Rule)
	case model.FindingUnexpectedPort:
		return fmt.Sprintf("close port %d or add it to allowed_ports of group %s", f.Endpoint.Port, name)
	case model.FindingExpectedClosedOpen:
		return fmt.Sprintf("find what listens on %s and stop it, or change monitor %s to expect: open", f.Endpoint, name)
	case model.FindingExpectedOpenDown:
		return fmt.Sprintf("check the service behind %s (process, host, firewall)", f.Endpoint)
	case model.FindingUnexpectedService:
		return "check what runs on the port; update expected_services if the change is intended"
	case model.FindingSlowResponse:
		return "check the load and network path of the service"
	}
	return ""
}

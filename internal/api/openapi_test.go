package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/portwatch/portwatch/internal/api"
)

// spec is the part of docs/openapi.yaml the tests read.
type spec struct {
	Paths      map[string]map[string]operation `yaml:"paths"`
	Components struct {
		Schemas    map[string]schema `yaml:"schemas"`
		Parameters map[string]struct {
			Name string `yaml:"name"`
			In   string `yaml:"in"`
		} `yaml:"parameters"`
		Responses map[string]any `yaml:"responses"`
	} `yaml:"components"`
}

type operation struct {
	Role       string `yaml:"x-portwatch-role"`
	Parameters []struct {
		Ref string `yaml:"$ref"`
	} `yaml:"parameters"`
	Responses map[string]struct {
		Ref     string `yaml:"$ref"`
		Content map[string]struct {
			Schema schema `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"responses"`
}

type schema struct {
	Ref        string            `yaml:"$ref"`
	Required   []string          `yaml:"required"`
	AllOf      []schema          `yaml:"allOf"`
	Properties map[string]schema `yaml:"properties"`
	Items      *schema           `yaml:"items"`
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	b, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	// Every reference resolves.
	for _, ref := range regexp.MustCompile(`\$ref: '#/components/([a-zA-Z]+)/([A-Za-z0-9_]+)'`).FindAllStringSubmatch(string(b), -1) {
		var ok bool
		switch ref[1] {
		case "schemas":
			_, ok = s.Components.Schemas[ref[2]]
		case "parameters":
			_, ok = s.Components.Parameters[ref[2]]
		case "responses":
			_, ok = s.Components.Responses[ref[2]]
		}
		if !ok {
			t.Errorf("docs/openapi.yaml: unresolved reference %s", ref[0])
		}
	}
	return &s
}

func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	s := loadSpec(t)
	inSpec := map[string]operation{}
	for path, ops := range s.Paths {
		for method, op := range ops {
			inSpec[strings.ToUpper(method)+" "+path] = op
		}
	}
	pathParam := regexp.MustCompile(`\{([a-z]+)\}`)
	for _, rt := range api.Routes() {
		k := rt.Method + " " + rt.Pattern
		op, ok := inSpec[k]
		if !ok {
			t.Errorf("route %s is not in docs/openapi.yaml", k)
			continue
		}
		delete(inSpec, k)
		if op.Role != rt.Role.String() {
			t.Errorf("%s: x-portwatch-role %q, route needs %q", k, op.Role, rt.Role)
		}
		// Every path parameter is declared.
		var declared []string
		for _, p := range op.Parameters {
			cp := s.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
			if cp.In == "path" {
				declared = append(declared, cp.Name)
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			if !slices.Contains(declared, m[1]) {
				t.Errorf("%s: path parameter %s not declared", k, m[1])
			}
		}
		if _, ok := op.Responses["401"]; !ok {
			t.Errorf("%s: no 401 response", k)
		}
	}
	for k := range inSpec {
		t.Errorf("docs/openapi.yaml has %s, which is no route", k)
	}
}

// required collects a schema's required properties through $ref and
// allOf, and the schema of its items.
func required(s *spec, sc schema) ([]string, *schema) {
	if sc.Ref != "" {
		return required(s, s.Components.Schemas[strings.TrimPrefix(sc.Ref, "#/components/schemas/")])
	}
	req := slices.Clone(sc.Required)
	items := sc.Items
	if p, ok := sc.Properties["items"]; ok && p.Items != nil {
		items = p.Items
	}
	for _, sub := range sc.AllOf {
		r, it := required(s, sub)
		req = append(req, r...)
		if it != nil {
			items = it
		}
	}
	return req, items
}

func TestResponsesHaveTheSpecsRequiredProperties(t *testing.T) {
	e := newEnv(t)
	s := loadSpec(t)
	e.as("operator", "POST", "/api/v1/silences", map[string]any{"matchers": []string{"host=127.0.0.1"}, "duration": "1h", "comment": "x"}, 201)
	for _, path := range []string{"/api/v1/me", "/api/v1/endpoints", "/api/v1/hosts", "/api/v1/monitors", "/api/v1/silences", "/api/v1/targets",
		"/api/v1/locations", "/api/v1/maintenance", "/api/v1/tokens", "/api/v1/audit"} {
		op := s.Paths[path]["get"]
		req, items := required(s, op.Responses["200"].Content["application/json"].Schema)
		var body map[string]json.RawMessage
		if err := json.Unmarshal(e.as("admin", http.MethodGet, path, nil, 200), &body); err != nil {
			t.Fatal(err)
		}
		for _, k := range req {
			if _, ok := body[k]; !ok {
				t.Errorf("GET %s: response lacks required %q", path, k)
			}
		}
		if items == nil {
			continue
		}
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(body["items"], &list); err != nil {
			t.Fatalf("GET %s items: %v", path, err)
		}
		if len(list) == 0 {
			t.Errorf("GET %s: no items to check", path)
			continue
		}
		ireq, _ := required(s, *items)
		for _, k := range ireq {
			if _, ok := list[0][k]; !ok {
				t.Errorf("GET %s: item lacks required %q", path, k)
			}
		}
	}
}

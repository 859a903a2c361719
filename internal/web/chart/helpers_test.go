package chart

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// elem is one parsed SVG element.
type elem struct {
	Name  string
	Attr  map[string]string
	Text  string // character data directly inside
	Depth int
}

// parseSVG checks that s is well-formed XML with an <svg> root and returns its elements in document order.
func parseSVG(s string) ([]elem, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	var out []elem
	var stack []int
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := elem{Name: t.Name.Local, Attr: map[string]string{}, Depth: len(stack)}
			for _, a := range t.Attr {
				e.Attr[a.Name.Local] = a.Value
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].Text += string(t)
			}
		}
	}
	if len(out) == 0 || out[0].Name != "svg" {
		return nil, errors.New("root is not <svg>")
	}
	return out, nil
}

// mustParse parses or fails the test.
func mustParse(t testing.TB, s string) []elem {
	t.Helper()
	els, err := parseSVG(s)
	if err != nil {
		t.Fatalf("not well-formed SVG: %v\n%s", err, s)
	}
	return els
}

// hasClass reports whether e carries class c.
func hasClass(e elem, c string) bool {
	for _, f := range strings.Fields(e.Attr["class"]) {
		if f == c {
			return true
		}
	}
	return false
}

// find returns the elements named name (any name if "") with class c (any if "").
func find(els []elem, name, c string) []elem {
	var out []elem
	for _, e := range els {
		if (name == "" || e.Name == name) && (c == "" || hasClass(e, c)) {
			out = append(out, e)
		}
	}
	return out
}

// titlesOf returns the texts of the <title> elements directly after (inside) elements named name with class c.
func titlesOf(els []elem, name, c string) []string {
	var out []string
	for i, e := range els {
		if e.Name == name && hasClass(e, c) && i+1 < len(els) && els[i+1].Name == "title" && els[i+1].Depth == e.Depth+1 {
			out = append(out, els[i+1].Text)
		}
	}
	return out
}

// checkRoot asserts the accessibility attributes of the root.
func checkRoot(t *testing.T, els []elem) {
	t.Helper()
	r := els[0]
	if r.Attr["role"] != "img" || r.Attr["viewBox"] == "" {
		t.Errorf("root attrs = %v", r.Attr)
	}
	if len(els) < 3 || els[1].Name != "title" || els[2].Name != "desc" || els[1].Text == "" || els[2].Text == "" {
		t.Errorf("root must start with non-empty <title> and <desc>")
	}
}

var t0 = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

// series returns n buckets of step from start, all with data.
func series(start time.Time, step time.Duration, n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{T: start.Add(time.Duration(i) * step), P50: time.Duration(2000+i%7*100) * time.Microsecond,
			P95: time.Duration(5000+i%11*300) * time.Microsecond, Count: 60, Up: 60}
	}
	return pts
}

package view

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseFilterRoundTrip(t *testing.T) {
	q, _ := url.ParseQuery("q=SSH&group=edge&label=team=a&label=env=prod&state=open&protocol=tcp&host=198.18.0.11&severity=major&failing=true&location=lab")
	f, err := ParseFilter(q)
	if err != nil {
		t.Fatal(err)
	}
	if f.Q != "ssh" || f.Group != "edge" || f.Labels["env"] != "prod" || f.State != "open" || f.Host.String() != "198.18.0.11" || !f.Failing {
		t.Fatalf("filter %+v", f)
	}
	back, err := ParseFilter(f.Values())
	if err != nil || back.Values().Encode() != f.Values().Encode() {
		t.Fatalf("round trip: %v %q != %q", err, back.Values().Encode(), f.Values().Encode())
	}
	for raw, want := range map[string]string{
		"state=opened":     "state",
		"protocol=sctp":    "protocol",
		"host=example.com": "host",
		"severity=huge":    "severity",
		"failing=perhaps":  "failing",
		"label=novalue":    "label",
		"label==x":         "label",
	} {
		q, _ := url.ParseQuery(raw)
		if _, err := ParseFilter(q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want one naming %q", raw, err, want)
		}
	}
}

func TestParseSortAndPage(t *testing.T) {
	s, err := ParseSort("-findings,port", EndpointSorts, "address")
	if err != nil || s.String() != "-findings,port" {
		t.Fatalf("sort %v %v", s, err)
	}
	if s, _ := ParseSort("", EndpointSorts, "address"); s.String() != "address" {
		t.Fatalf("default sort %v", s)
	}
	if _, err := ParseSort("password", EndpointSorts, ""); err == nil {
		t.Fatal("unknown sort key accepted")
	}
	for raw, ok := range map[string]bool{"": true, "limit=1000": true, "limit=1001": false, "limit=0": false, "offset=-1": false, "limit=x": false, "offset=5": true} {
		q, _ := url.ParseQuery(raw)
		if _, err := ParsePage(q); (err == nil) != ok {
			t.Errorf("%q: err = %v", raw, err)
		}
	}
	rows := []int{1, 2, 3, 4, 5}
	if got := Slice(Page{Limit: 2, Offset: 4}, rows); len(got) != 1 || got[0] != 5 {
		t.Fatalf("last page %v", got)
	}
	if got := Slice(Page{Limit: 2, Offset: 9}, rows); len(got) != 0 || got == nil {
		t.Fatalf("past the end %v", got)
	}
}

func FuzzParseFilter(f *testing.F) {
	f.Add("q=ssh&label=a=b&state=open&host=::1&severity=critical")
	f.Add("host=%zz&label=")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := ParseFilter(q)
		if err != nil {
			return
		}
		// What parses renders back to something that parses the same.
		again, err := ParseFilter(flt.Values())
		if err != nil {
			t.Fatalf("re-parse of %q: %v", flt.Values().Encode(), err)
		}
		if again.Values().Encode() != flt.Values().Encode() {
			t.Fatalf("round trip %q -> %q", flt.Values().Encode(), again.Values().Encode())
		}
	})
}

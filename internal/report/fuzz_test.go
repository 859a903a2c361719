package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds adds the testdata files with the given extension to the corpus.
func addSeeds(f *testing.F, ext string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*"+ext))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no %s seeds in testdata: %v", ext, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadNmapXML checks that any input either fails cleanly or yields a
// result that can be written as XML and read back to the same shape.
func FuzzReadNmapXML(f *testing.F) {
	addSeeds(f, ".xml")
	f.Add([]byte(`<nmaprun><host><address addr="::1"/><ports><port protocol="tcp" portid="1"><state state="open"/></port></ports></host></nmaprun>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := ReadNmapXML(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		for _, format := range Formats() {
			out.Reset()
			if err := Write(&out, res, Options{Format: format, AllStates: true, Color: true}); err != nil {
				t.Fatalf("Write %s of a parsed result: %v", format, err)
			}
		}
		out.Reset()
		if err := Write(&out, res, Options{Format: "xml"}); err != nil {
			t.Fatal(err)
		}
		again, err := ReadNmapXML(&out)
		if err != nil {
			t.Fatalf("our own XML does not read back: %v\n%s", err, out.String())
		}
		if len(again.Hosts) != len(res.Hosts) || len(again.Errors) != len(res.Errors) {
			t.Fatalf("round trip changed shape: %d hosts/%d errors, want %d/%d",
				len(again.Hosts), len(again.Errors), len(res.Hosts), len(res.Errors))
		}
		for i := range res.Hosts {
			if a, b := again.Hosts[i], res.Hosts[i]; a.Address != b.Address || len(a.Ports) != len(b.Ports) {
				t.Fatalf("host %d changed: %v with %d ports, want %v with %d", i, a.Address, len(a.Ports), b.Address, len(b.Ports))
			}
		}
	})
}

// FuzzReadJSON checks that any input either fails cleanly or yields a
// result that every format can write and that json reads back.
func FuzzReadJSON(f *testing.F) {
	addSeeds(f, ".json")
	addSeeds(f, ".jsonl")
	f.Add([]byte(`{"hosts":[{"address":"::1","ports":[{"port":1,"rtt_ms":1e300}]}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := ReadJSON(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		for _, format := range Formats() {
			out.Reset()
			if err := Write(&out, res, Options{Format: format, AllStates: true}); err != nil {
				t.Fatalf("Write %s of a parsed result: %v", format, err)
			}
		}
		for _, format := range []string{"json", "jsonl"} {
			out.Reset()
			if err := Write(&out, res, Options{Format: format}); err != nil {
				t.Fatal(err)
			}
			again, err := ReadJSON(strings.NewReader(out.String()))
			if err != nil {
				t.Fatalf("our own %s does not read back: %v\n%s", format, err, out.String())
			}
			if len(again.Hosts) != len(res.Hosts) {
				t.Fatalf("%s round trip: %d hosts, want %d", format, len(again.Hosts), len(res.Hosts))
			}
		}
	})
}

// Command svcompare scores service detection against the lab's ground
// truth: for every open TCP port the truth names a service for, is the
// service name right, and is the truth's version found? It reads the truth,
// portwatch's JSON and nmap's XML (-oX) of the same ports and prints one
// line per scanner. Used by bench/run.sh.
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/portwatch/portwatch/internal/report"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/test/lab"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: svcompare TRUTH.json PORTWATCH.json NMAP.xml")
		os.Exit(2)
	}
	truth, err := lab.LoadTruth(os.Args[1])
	check(err)
	pw := load(os.Args[2], report.ReadJSON)
	nm := load(os.Args[3], report.ReadNmapXML)
	for _, r := range []struct {
		name string
		res  *scan.Result
	}{{"portwatch", pw}, {"nmap", nm}} {
		s := score(truth, r.res)
		fmt.Printf("%-9s service names %d/%d correct, versions %d/%d found", r.name, s.names, s.ports, s.versions, s.withVersion)
		if len(s.misses) > 0 {
			fmt.Printf("; missed: %s", strings.Join(s.misses, ", "))
		}
		fmt.Println()
	}
}

type tally struct {
	ports, names, withVersion, versions int
	misses                              []string
}

func score(truth *lab.Truth, res *scan.Result) tally {
	var t tally
	found := map[string]scan.PortResult{}
	for _, h := range res.Hosts {
		for _, p := range h.Ports {
			found[h.Address.String()+":"+strconv.Itoa(int(p.Port))] = p
		}
	}
	for _, h := range truth.Hosts {
		for port, want := range h.TCP {
			if want.State != "open" || want.Service == "" || h.Wildcard {
				continue
			}
			t.ports++
			if want.Version != "" {
				t.withVersion++
			}
			key := h.IPv4 + ":" + port
			p, ok := found[key]
			if !ok || p.Service == nil {
				t.misses = append(t.misses, key+" (nothing)")
				continue
			}
			if p.Service.Name == want.Service {
				t.names++
			} else {
				t.misses = append(t.misses, fmt.Sprintf("%s (%s, want %s)", key, p.Service.Name, want.Service))
			}
			if want.Version != "" && strings.Contains(p.Service.Version+" "+p.Service.Extra, want.Version) {
				t.versions++
			}
		}
	}
	return t
}

func load(path string, read func(io.Reader) (*scan.Result, error)) *scan.Result {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	res, err := read(f)
	check(err)
	return res
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "svcompare:", err)
		os.Exit(1)
	}
}

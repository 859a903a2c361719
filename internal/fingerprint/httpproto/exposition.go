package httpproto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Limits of the exposition scan: the first lines must all parse, and the
// search for *_build_info stops after maxExpositionScan decompressed bytes
// (a gzip bomb cannot make it run long).
const (
	expositionCheckLines = 64
	maxExpositionScan    = 4 << 20
	maxExpositionLine    = 16 << 10
)

// exposition is what a scan of a Prometheus text exposition found.
type exposition struct {
	Lines     int // well-formed lines checked
	Families  int // "# TYPE" and "# HELP" lines among them
	Build     *buildInfo
	GoVersion string // from go_info{version=...}
}

// buildInfo is one "<component>_build_info{version=...} 1" sample.
type buildInfo struct {
	Component, Version, GoVersion, Revision string
}

// scanExposition reads r as the Prometheus text format (0.0.4) or
// OpenMetrics. ok is false unless the first lines are all well-formed and
// include at least one sample. Memory stays bounded by the line buffer
// whatever r holds.
func scanExposition(r io.Reader) (exp exposition, ok bool) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxExpositionScan), maxExpositionLine)
	samples := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// An overlong line: skip it, it is neither proof nor disproof.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			line = nil
		}
		if err != nil && len(line) > 0 {
			// The last line may be cut by the read cap: not a verdict.
			line = nil
		}
		if l := bytes.TrimSpace(line); len(l) > 0 && exp.Lines < expositionCheckLines {
			kind, good := checkExpositionLine(l)
			if !good {
				return exp, false
			}
			exp.Lines++
			switch kind {
			case lineFamily:
				exp.Families++
			case lineSample:
				samples++
			}
		}
		if bytes.HasPrefix(line, []byte("go_info{")) || bytes.Contains(line, []byte("_build_info{")) {
			exp.noteSample(line)
		}
		if err != nil || exp.Build != nil && exp.Lines >= expositionCheckLines {
			break
		}
	}
	return exp, samples > 0
}

// Kinds of exposition lines.
const (
	lineComment = iota
	lineFamily
	lineSample
)

// checkExpositionLine says whether l (trimmed, non-empty) is a comment,
// a HELP/TYPE line or a sample, and whether it is well-formed.
func checkExpositionLine(l []byte) (kind int, ok bool) {
	if l[0] == '#' {
		f := strings.Fields(string(l[1:]))
		if len(f) >= 2 && (f[0] == "HELP" || f[0] == "TYPE") {
			if !validMetricName(f[1]) {
				return lineFamily, false
			}
			if f[0] == "TYPE" {
				return lineFamily, len(f) == 3 && validMetricType(f[2])
			}
			return lineFamily, true
		}
		return lineComment, true
	}
	_, _, ok = parseSample(l)
	return lineSample, ok
}

func validMetricType(t string) bool {
	switch t {
	case "counter", "gauge", "histogram", "summary", "untyped",
		"unknown", "info", "stateset", "gaugehistogram": // OpenMetrics
		return true
	}
	return false
}

// parseSample parses `name{label="value",...} value [timestamp]`.
func parseSample(l []byte) (name string, labels [][2]string, ok bool) {
	i := 0
	for i < len(l) && l[i] != '{' && l[i] != ' ' && l[i] != '\t' {
		i++
	}
	name = string(l[:i])
	if !validMetricName(name) {
		return "", nil, false
	}
	rest := l[i:]
	if len(rest) > 0 && rest[0] == '{' {
		var n int
		labels, n, ok = parseLabels(rest)
		if !ok {
			return "", nil, false
		}
		rest = rest[n:]
	}
	if i := bytes.Index(rest, []byte(" # ")); i >= 0 {
		rest = rest[:i] // an OpenMetrics exemplar
	}
	f := strings.Fields(string(rest))
	if len(f) < 1 || len(f) > 2 {
		return "", nil, false
	}
	if _, err := strconv.ParseFloat(f[0], 64); err != nil {
		return "", nil, false
	}
	return name, labels, true
}

// parseLabels parses a label set starting at '{' and returns the labels
// and the bytes consumed.
func parseLabels(b []byte) (labels [][2]string, n int, ok bool) {
	i := 1
	for {
		for i < len(b) && (b[i] == ' ' || b[i] == ',') {
			i++
		}
		if i >= len(b) {
			return nil, 0, false
		}
		if b[i] == '}' {
			return labels, i + 1, true
		}
		start := i
		for i < len(b) && b[i] != '=' && b[i] != ' ' {
			i++
		}
		key := string(b[start:i])
		if !validLabelName(key) || i+1 >= len(b) || b[i] != '=' || b[i+1] != '"' {
			return nil, 0, false
		}
		i += 2
		var v strings.Builder
		for ; i < len(b) && b[i] != '"'; i++ {
			if b[i] == '\\' && i+1 < len(b) {
				i++
				switch b[i] {
				case 'n':
					v.WriteByte('\n')
				default:
					v.WriteByte(b[i])
				}
				continue
			}
			v.WriteByte(b[i])
		}
		if i >= len(b) {
			return nil, 0, false
		}
		i++ // closing quote
		labels = append(labels, [2]string{key, v.String()})
	}
}

func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
		if !alpha && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func validLabelName(s string) bool {
	return s != "" && !strings.Contains(s, ":") && validMetricName(s)
}

// noteSample records go_info and the first *_build_info other than
// client_golang's go_build_info.
func (exp *exposition) noteSample(line []byte) {
	name, labels, ok := parseSample(bytes.TrimSpace(line))
	if !ok {
		return
	}
	label := func(k string) string {
		for _, l := range labels {
			if l[0] == k {
				return l[1]
			}
		}
		return ""
	}
	switch {
	case name == "go_info":
		exp.GoVersion = cleanVersion(label("version"))
	case exp.Build == nil && name != "go_build_info" && strings.HasSuffix(name, "_build_info"):
		exp.Build = &buildInfo{
			Component: strings.TrimSuffix(name, "_build_info"),
			Version:   strings.TrimPrefix(cleanVersion(label("version")), "v"),
			GoVersion: cleanVersion(label("goversion")),
			Revision:  cleanVersion(label("revision")),
		}
	}
}

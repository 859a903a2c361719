package chart

import (
	"encoding/binary"
	"testing"
	"time"
)

// fuzzTime turns a fuzzed offset into an instant near t0 (±~292 years at most).
func fuzzTime(off int64) time.Time { return t0.Add(time.Duration(off)) }

func FuzzLatency(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, int64(0), int64(time.Hour), "t<i>&tle", int64(0))
	f.Add([]byte{}, int64(time.Hour), int64(0), "\x00\xff", int64(-1))
	f.Fuzz(func(t *testing.T, data []byte, from, to int64, title string, step int64) {
		var pts []Point
		for len(data) >= 16 && len(pts) < 2000 {
			a := int64(binary.LittleEndian.Uint64(data))
			b := binary.LittleEndian.Uint64(data[8:])
			pts = append(pts, Point{T: fuzzTime(a), P50: time.Duration(int32(b)), P95: time.Duration(int32(b >> 32)),
				Count: int64(b % 7), Up: int64(b>>8) % 9})
			data = data[16:]
		}
		opt := Options{Title: title, Step: time.Duration(step), Width: int(step % 5000), BadBelow: float64(step % 200)}
		mustParse(t, string(Latency(pts, fuzzTime(from), fuzzTime(to), opt)))
		svg, overall, _ := Availability(pts, fuzzTime(from), fuzzTime(to), opt)
		mustParse(t, string(svg))
		if overall < 0 || overall > 100 {
			t.Fatalf("overall %v out of range", overall)
		}
	})
}

func FuzzTimeline(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, int64(0), int64(day), "lane<&>", "open|filtered", "id")
	f.Add([]byte{}, int64(day), int64(0), "", "", "")
	f.Fuzz(func(t *testing.T, data []byte, from, to int64, name, state, id string) {
		lanes := []Lane{{Name: name}}
		for len(data) >= 17 && len(lanes) < 200 {
			a := int64(binary.LittleEndian.Uint64(data))
			b := int64(binary.LittleEndian.Uint64(data[8:]))
			if data[16]%5 == 0 {
				lanes = append(lanes, Lane{Name: name + string(data[16:17])})
			}
			st := [...]string{"open", "closed", "filtered", "open|filtered", state}[data[16]%5]
			l := &lanes[len(lanes)-1]
			l.Segments = append(l.Segments, Segment{From: fuzzTime(a), To: fuzzTime(b), State: st, Label: state})
			data = data[17:]
		}
		mustParse(t, string(Timeline(lanes, fuzzTime(from), fuzzTime(to), Options{Title: name, ID: id, Height: int(from % 3000)})))
	})
}

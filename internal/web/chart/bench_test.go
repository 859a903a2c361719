package chart

import (
	"testing"
	"time"
)

func BenchmarkLatency720(b *testing.B) {
	pts := series(t0, time.Hour, 720)
	b.ReportAllocs()
	for b.Loop() {
		Latency(pts, t0, t0.Add(30*day), Options{})
	}
}

func BenchmarkAvailability720(b *testing.B) {
	pts := series(t0, time.Hour, 720)
	b.ReportAllocs()
	for b.Loop() {
		Availability(pts, t0, t0.Add(30*day), Options{})
	}
}

func BenchmarkTimeline(b *testing.B) {
	lanes := make([]Lane, 20)
	states := [...]string{"open", "closed", "filtered", "open|filtered"}
	for i := range lanes {
		lanes[i].Name = "host-" + string(rune('a'+i))
		for j := range 50 {
			s := t0.Add(time.Duration(j) * 3 * time.Hour)
			lanes[i].Segments = append(lanes[i].Segments, Segment{From: s, To: s.Add(3 * time.Hour), State: states[(i+j)%4]})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Timeline(lanes, t0, t0.Add(7*day), Options{})
	}
}

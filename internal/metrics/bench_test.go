package metrics

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkScrape10k measures one scrape (collect and encode) of a
// snapshot with 10,000 monitored endpoints.
func BenchmarkScrape10k(b *testing.B) {
	s := sample()
	s.Endpoints = make([]EndpointStatus, 10000)
	for i := range s.Endpoints {
		s.Endpoints[i] = EndpointStatus{Endpoint: fmt.Sprintf("198.18.%d.%d:443/tcp", i/250, i%250+1), Monitor: fmt.Sprint("web-", i),
			Group: "edge", Location: "local", State: "open", Latency: time.Duration(i) * time.Microsecond}
	}
	h := Handler(&fakeSource{s: s}, Options{Logger: quiet()})
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

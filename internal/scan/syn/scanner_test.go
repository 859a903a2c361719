package syn

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
)

func TestScanRejectsBadJobs(t *testing.T) {
	s := &Scanner{}
	ctx := context.Background()
	if _, err := s.Scan(ctx, scan.Job{Ports: []uint16{1}}); err == nil {
		t.Error("no targets accepted")
	}
	if _, err := s.Scan(ctx, scan.Job{Targets: scan.AddrList{us}}); err == nil {
		t.Error("no ports accepted")
	}
	bad := &Scanner{Timing: scan.Timing{Min: 0, Max: 1}}
	if _, err := bad.Scan(ctx, scan.Job{Targets: scan.AddrList{us}, Ports: []uint16{1}}); err == nil {
		t.Error("bad timing accepted")
	}
}

func TestDefaults(t *testing.T) {
	s := &Scanner{}
	if s.rate() != DefaultRate || s.timing() != scan.DefaultTiming() {
		t.Fatalf("rate %v timing %+v", s.rate(), s.timing())
	}
}

func TestErrorReasons(t *testing.T) {
	for err, want := range map[error]scan.Reason{
		syscall.ENETUNREACH:  scan.ReasonNetUnreachable,
		syscall.EHOSTUNREACH: scan.ReasonHostUnreachable,
		syscall.EPERM:        scan.ReasonAdminProhibited,
		syscall.EMSGSIZE:     scan.ReasonError,
	} {
		if _, got := sendErrorResult(err); got != want {
			t.Errorf("%v: %s, want %s", err, got, want)
		}
	}
	if !transient(syscall.ENOBUFS) || transient(syscall.EPERM) {
		t.Error("transient")
	}
	for err, want := range map[error]scan.Reason{
		rawnet.ErrNetUnreachable:  scan.ReasonNetUnreachable,
		rawnet.ErrHostUnreachable: scan.ReasonHostUnreachable,
		rawnet.ErrProhibited:      scan.ReasonAdminProhibited,
		errors.New("other"):       scan.ReasonError,
	} {
		if got := routeReason(err); got != want {
			t.Errorf("%v: %s, want %s", err, got, want)
		}
	}
}

package report

import (
	"slices"
	"testing"

	"github.com/portwatch/portwatch/internal/scan"
)

func TestPortRanges(t *testing.T) {
	for _, c := range []struct {
		in   []uint16
		want string
	}{
		{nil, ""},
		{[]uint16{80}, "80"},
		{[]uint16{8080, 3, 1, 2, 2, 1024}, "1-3,1024,8080"},
		{[]uint16{65535, 65534, 0}, "0,65534-65535"},
	} {
		if got := portRanges(c.in); got != c.want {
			t.Errorf("portRanges(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestShellWords(t *testing.T) {
	args := []string{"portwatch", "-p", "1-1024,8080", "", "it's", `a "b" \c`, "x y", "$HOME"}
	joined := shellJoin(args)
	if want := `portwatch -p 1-1024,8080 '' 'it'\''s' 'a "b" \c' 'x y' '$HOME'`; joined != want {
		t.Errorf("shellJoin = %s, want %s", joined, want)
	}
	got, err := shellSplit(joined)
	if err != nil || !slices.Equal(got, args) {
		t.Errorf("shellSplit(shellJoin(args)) = %q, %v; want %q", got, err, args)
	}
	got, err = shellSplit(`a "b \"c\" \d" e\ f`)
	if want := []string{"a", `b "c" \d`, "e f"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("shellSplit double quotes = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{`'open`, `"open`, `trailing\`} {
		if _, err := shellSplit(bad); err == nil {
			t.Errorf("shellSplit(%q): want error", bad)
		}
	}
}

func TestNmapReasonNames(t *testing.T) {
	for ours, theirs := range map[scan.Reason]string{
		scan.ReasonRST:             "reset",
		scan.ReasonHostUnreachable: "host-unreach",
		scan.ReasonPortUnreachable: "port-unreach",
		scan.ReasonSynAck:          "syn-ack",
		scan.ReasonAdminProhibited: "admin-prohibited",
	} {
		if got := toNmapReason(ours); got != theirs {
			t.Errorf("toNmapReason(%s) = %s, want %s", ours, got, theirs)
		}
		if got := fromNmapReason(theirs); got != ours {
			t.Errorf("fromNmapReason(%s) = %s, want %s", theirs, got, ours)
		}
	}
}

func TestTargetErrorText(t *testing.T) {
	e := scan.TargetError{Target: `we"ird`, Error: "skipped: x"}
	got, ok := parseTargetErrorText(targetErrorText(e))
	if !ok || got != e {
		t.Errorf("round trip = %+v, %v; want %+v", got, ok, e)
	}
	for _, s := range []string{"", "Target x skipped: y", `Target "x" gone: y`} {
		if _, ok := parseTargetErrorText(s); ok {
			t.Errorf("parseTargetErrorText(%q) accepted", s)
		}
	}
}

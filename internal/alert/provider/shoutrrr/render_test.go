package shoutrrr

import (
	"testing"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		title, text, want string
	}{
		{"CRITICAL: 198.18.0.11:6379/tcp open", "Opened at 09:58 UTC.\nClose it.\n",
			"CRITICAL: 198.18.0.11:6379/tcp open\n\nOpened at 09:58 UTC.\nClose it."},
		{"title only ", "", "title only"},
		{"", " text only", "text only"},
		{"", "", ""},
	} {
		if got := render(notify.Message{Title: tc.title, Text: tc.text}); got != tc.want {
			t.Errorf("render(%q, %q) = %q, want %q", tc.title, tc.text, got, tc.want)
		}
	}
}

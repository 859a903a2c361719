package target

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestArgTokens(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{[]string{"198.18.0.1"}, []string{"198.18.0.1"}},
		{[]string{"a.lab,b.lab", "c.lab"}, []string{"a.lab", "b.lab", "c.lab"}},
		{[]string{"198.18.0.1,198.18.0.9"}, []string{"198.18.0.1", "198.18.0.9"}},
		{[]string{"198.18.0.1,3,5-7"}, []string{"198.18.0.1,3,5-7"}},
		{[]string{"198.18.3-5,7.1"}, []string{"198.18.3-5,7.1"}},
		{[]string{"198.18.0.1,3,web.lab"}, []string{"198.18.0.1,3", "web.lab"}},
		{[]string{"198.18.0.0/24,2001:2::1"}, []string{"198.18.0.0/24", "2001:2::1"}},
		{[]string{"a.lab,,b.lab,", ",", ""}, []string{"a.lab", "b.lab"}},
		{[]string{" a.lab  b.lab\t"}, []string{"a.lab", "b.lab"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range ArgTokens(tt.in) {
			if tok.Source != "" {
				t.Errorf("%q: argument token has source %q", tt.in, tok.Source)
			}
			got = append(got, tok.Value)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ArgTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hosts.txt")
	text := "# lab hosts\n198.18.0.11 198.18.0.12\t web.lab # the web server\n\n   \n2001:2::/120,198.18.1.1\n#198.18.9.9\n198.18.0.300"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	toks, err := ReadList(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Token{
		{"198.18.0.11", path + ":2"}, {"198.18.0.12", path + ":2"}, {"web.lab", path + ":2"},
		{"2001:2::/120", path + ":5"}, {"198.18.1.1", path + ":5"},
		{"198.18.0.300", path + ":7"},
	}
	if !reflect.DeepEqual(toks, want) {
		t.Fatalf("ReadList = %q, want %q", toks, want)
	}
	_, err = Parse(context.Background(), toks, Options{Resolver: labResolver()})
	if want := `target "198.18.0.300" (` + path + `:7): octet 300 out of range`; err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %q", err, want)
	}
}

func TestReadListErrors(t *testing.T) {
	_, err := ReadList(context.Background(), filepath.Join(t.TempDir(), "missing.txt"))
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "read target list: ") {
		t.Errorf("missing file: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadListFrom(ctx, strings.NewReader("198.18.0.1\n"), "stdin"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	long := strings.Repeat("a", maxListLine+1)
	if _, err := ReadListFrom(context.Background(), strings.NewReader(long), "big"); err == nil || !strings.Contains(err.Error(), "read target list big: ") {
		t.Errorf("over-long line: %v", err)
	}
}

func TestReadListFromSource(t *testing.T) {
	toks, err := ReadListFrom(context.Background(), strings.NewReader("\n198.18.0.1\n"), "stdin")
	if err != nil || len(toks) != 1 || toks[0] != (Token{"198.18.0.1", "stdin:2"}) {
		t.Fatalf("got %v, %v", toks, err)
	}
}

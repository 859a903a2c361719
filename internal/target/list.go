package target

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// maxListLine bounds one line of a target list file.
const maxListLine = 1 << 20

// ReadList reads a target list file (nmap -iL, --exclude-file): one or more
// targets per line separated by whitespace or commas, '#' starts a comment,
// blank lines are ignored. Each token's Source is "path:line". "-" is not
// special here; a caller that wants standard input uses ReadListFrom.
func ReadList(ctx context.Context, path string) ([]Token, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read target list: %w", err)
	}
	defer f.Close()
	return ReadListFrom(ctx, f, path)
}

// ReadListFrom reads a target list from r like ReadList; name is used in
// each token's Source ("name:line").
func ReadListFrom(ctx context.Context, r io.Reader, name string) ([]Token, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxListLine)
	var out []Token
	for line := 1; sc.Scan(); line++ {
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("read target list %s: %w", name, err)
			}
		}
		text, _, _ := strings.Cut(sc.Text(), "#")
		src := name + ":" + strconv.Itoa(line)
		for _, v := range splitTargets(text) {
			out = append(out, Token{Value: v, Source: src})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read target list %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read target list %s: %w", name, err)
	}
	return out, nil
}

package config

import (
	"context"
	"crypto/sha256"
	"os"
	"time"
)

// Watch polls the configuration at path (a file, or a directory of
// files) every interval and calls changed, on Watch's goroutine, whenever
// what Load would read differs from the previous poll: a file's content,
// a file added to or removed from the directory. Polling content hashes
// rather than subscribing to inotify events also catches editors that
// replace a file by renaming and configuration mounted from a volume
// (Kubernetes ConfigMaps swap a symlink). Watch returns when ctx ends.
func Watch(ctx context.Context, path string, interval time.Duration, changed func()) {
	last := stamp(path)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if now := stamp(path); now != last {
				last = now
				changed()
			}
		}
	}
}

// stamp hashes the names and contents of the files Load would read at
// path; an unreadable path hashes its error, so that it coming back
// counts as a change too.
func stamp(path string) [sha256.Size]byte {
	h := sha256.New()
	files := []string{path}
	if st, err := os.Stat(path); err != nil {
		h.Write([]byte(err.Error()))
		files = nil
	} else if st.IsDir() {
		if files, err = configFiles(path); err != nil {
			h.Write([]byte(err.Error()))
		}
	}
	for _, f := range files {
		h.Write([]byte(f))
		h.Write([]byte{0})
		data, err := os.ReadFile(f)
		if err != nil {
			h.Write([]byte(err.Error()))
		}
		h.Write(data)
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

//go:build linux

// Package netnstest runs code inside a named network namespace (one made by
// `ip netns add`), for tests that open sockets in a lab namespace from the
// test process itself. Sockets keep the namespace they were created in, so
// a scanner that opens its sockets up front may be started this way and
// then run anywhere.
package netnstest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on an OS thread moved into the namespace netns, and moves the
// thread back afterwards. If it cannot be moved back, the thread stays
// locked and the runtime discards it when the goroutine ends, so no other
// goroutine ever runs in the namespace by accident.
func Do(netns string, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("open own network namespace: %w", err)
			return
		}
		defer home.Close()
		target, err := os.Open(filepath.Join("/run/netns", netns))
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("open network namespace %s: %w", netns, err)
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("enter network namespace %s: %w", netns, err) // thread stays locked
			return
		}
		ferr := fn()
		if unix.Setns(int(home.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- ferr
	}()
	return <-done
}

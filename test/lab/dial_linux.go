package lab

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// netnsRunDir is where `ip netns add` pins named namespaces.
const netnsRunDir = "/run/netns"

// ScannerDial dials address from inside the scanner namespace, with the
// signature of net.Dialer.DialContext, so tests can inject it as the dial
// function of in-process code. The scanner namespace has no default route:
// addresses outside the lab fail with "network is unreachable" and never
// leave the machine.
func (tr *Truth) ScannerDial(ctx context.Context, network, address string) (net.Conn, error) {
	return dialInNetns(ctx, tr.ScannerNetns, network, address)
}

// dialInNetns creates the socket on an OS thread moved into netns for the
// dial and moved back afterwards.
func dialInNetns(ctx context.Context, netns, network, address string) (net.Conn, error) {
	var conn net.Conn
	err := inNetns(netns, func() (err error) {
		var d net.Dialer
		conn, err = d.DialContext(ctx, network, address)
		return err
	})
	return conn, err
}

// inNetns runs fn on an OS thread moved into netns and moved back
// afterwards; sockets fn creates stay in netns. If the thread cannot be
// moved back, it stays locked and the runtime discards it, so no other
// goroutine ever runs in the lab namespace by accident.
func inNetns(netns string, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("open own namespace: %w", err)
			return
		}
		defer home.Close()
		if err := enterNetns(netns); err != nil {
			// The thread may be half-switched: never unlock it.
			done <- err
			return
		}
		err = fn()
		if setns(home) == nil {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	return <-done
}

// enterNetns moves the calling OS thread into the named namespace.
func enterNetns(netns string) error {
	f, err := os.Open(filepath.Join(netnsRunDir, netns))
	if err != nil {
		return fmt.Errorf("open namespace %s: %w", netns, err)
	}
	defer f.Close()
	if err := setns(f); err != nil {
		return fmt.Errorf("enter namespace %s: %w", netns, err)
	}
	return nil
}

// setns moves the calling OS thread into the network namespace of f.
func setns(f *os.File) error {
	if _, _, errno := syscall.RawSyscall(sysSetns, f.Fd(), syscall.CLONE_NEWNET, 0); errno != 0 {
		return errno
	}
	return nil
}

// HostListen listens on address inside the namespace of the lab host
// named host (h1, ...): a service that appears on that host, for tests of
// what notices it. The listener stays in the host's namespace; close it
// to make the service disappear.
func (tr *Truth) HostListen(host, network, address string) (net.Listener, error) {
	h, ok := tr.Host(host)
	if !ok {
		return nil, fmt.Errorf("lab: no host %q", host)
	}
	var ln net.Listener
	err := inNetns(h.Netns, func() (err error) {
		ln, err = net.Listen(network, address)
		return err
	})
	return ln, err
}

// ScannerListen listens on address inside the scanner namespace: a local
// receiver (webhook, syslog) the daemon under test, running there, can
// reach on the namespace's loopback.
func (tr *Truth) ScannerListen(network, address string) (net.Listener, error) {
	var ln net.Listener
	err := inNetns(tr.ScannerNetns, func() (err error) {
		ln, err = net.Listen(network, address)
		return err
	})
	return ln, err
}

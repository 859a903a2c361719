//go:build !linux

package lab

import (
	"context"
	"errors"
	"net"
)

// ScannerDial dials address from inside the scanner namespace; network
// namespaces exist only on Linux.
func (tr *Truth) ScannerDial(ctx context.Context, network, address string) (net.Conn, error) {
	return nil, errors.New("lab: network namespaces need Linux")
}

// HostListen listens inside a lab host's namespace; Linux only.
func (tr *Truth) HostListen(host, network, address string) (net.Listener, error) {
	return nil, errors.New("lab: network namespaces need Linux")
}

// ScannerListen listens inside the scanner namespace; Linux only.
func (tr *Truth) ScannerListen(network, address string) (net.Listener, error) {
	return nil, errors.New("lab: network namespaces need Linux")
}

package scan

import (
	"context"
	"errors"
	"os"
	"syscall"
)

// classifyDialError maps the outcome of a connect(2) to a port state and
// reason. The event-loop engine reads the ICMP message itself (icmpError);
// for plain dials, Linux folds ICMP codes into errno values: port-unreachable becomes
// ECONNREFUSED (fatal during SYN-SENT), host/admin-prohibited codes become
// EHOSTUNREACH and network codes ENETUNREACH. A local firewall rejecting the
// packet on output yields EPERM/EACCES. ok is false for errors that say
// nothing about the endpoint (e.g. running out of file descriptors).
func classifyDialError(err error) (state PortState, reason Reason, ok bool) {
	var ie icmpError
	switch {
	case errors.As(err, &ie):
		return ie.state, ie.reason, true
	case err == nil:
		return Open, ReasonSynAck, true
	case errors.Is(err, syscall.ECONNREFUSED):
		return Closed, ReasonConnRefused, true
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return Filtered, ReasonHostUnreachable, true
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ENONET):
		return Filtered, ReasonNetUnreachable, true
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return Filtered, ReasonAdminProhibited, true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return Filtered, ReasonNoResponse, true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		// An RST to a SYN gives ECONNREFUSED; ECONNRESET means the
		// connection was established and reset afterwards (a SYN proxy
		// completing the handshake, then finding nothing behind it, does
		// this within microseconds). The port answered SYN-ACK.
		return Open, ReasonSynAck, true
	}
	return "", ReasonError, false
}

// IsResourceError reports errors caused by local exhaustion, after which an
// attempt should be repeated rather than counted.
func IsResourceError(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.EAGAIN)
}

package syn

import (
	"errors"
	"syscall"

	"github.com/portwatch/portwatch/internal/scan"
)

// transient reports send errors after which the packet should be sent
// again later.
func transient(err error) bool {
	return errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR)
}

// sendErrorResult is the result of a probe the kernel would not send.
func sendErrorResult(err error) (scan.PortState, scan.Reason) {
	switch {
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EINVAL):
		return scan.Filtered, scan.ReasonNetUnreachable
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return scan.Filtered, scan.ReasonHostUnreachable
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return scan.Filtered, scan.ReasonAdminProhibited
	}
	return scan.Filtered, scan.ReasonError
}

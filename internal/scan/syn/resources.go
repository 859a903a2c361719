package syn

import (
	"fmt"

	"github.com/portwatch/portwatch/internal/rawnet"
	"github.com/portwatch/portwatch/internal/scan"
	"github.com/portwatch/portwatch/internal/scan/discovery"
)

// resources are the sockets of one scan.
type resources struct {
	router *rawnet.Router
	send   *sendPool
	port   *rawnet.PortReservation
	conn   *rawnet.PacketConn
	prober *discovery.Prober // nil without discovery
}

func openResources(sport uint16, discover bool, t scan.Timing, rate float64) (res *resources, err error) {
	res = &resources{}
	defer func() {
		if err != nil {
			res.close()
		}
	}()
	if res.router, err = rawnet.OpenRouter(); err != nil {
		return nil, err
	}
	if res.send, err = openSendPool(); err != nil {
		return nil, err
	}
	if res.port, err = rawnet.ReservePort(sport); err != nil {
		return nil, err
	}
	filter, err := rawnet.FilterSpec{TCPPort: res.port.Port, ICMPErrors: true}.Assemble()
	if err != nil {
		return nil, err
	}
	if res.conn, err = rawnet.ListenPacket(filter); err != nil {
		return nil, err
	}
	if discover {
		res.prober, err = discovery.Open(discovery.Options{Timing: t, Rate: rate, Router: res.router, Sender: res.send.primary()})
		if err != nil {
			return nil, fmt.Errorf("host discovery: %w", err)
		}
	}
	return res, nil
}

func (res *resources) close() {
	// The prober shares the router and sender: close it first.
	if res.prober != nil {
		res.prober.Close()
	}
	if res.conn != nil {
		res.conn.Close()
	}
	if res.port != nil {
		res.port.Close()
	}
	if res.send != nil {
		res.send.close()
	}
	if res.router != nil {
		res.router.Close()
	}
}

// Package dbproto holds protocol fingerprinters, one file per protocol.
package dbproto

import "github.com/portwatch/portwatch/internal/fingerprint"

// All returns this package's fingerprinters: databases, caches and message
// brokers.
func All() []fingerprint.Fingerprinter {
	return []fingerprint.Fingerprinter{
		&MySQL{}, &NATS{}, // server speaks first
		&Redis{}, &Memcached{}, &PostgreSQL{}, &MongoDB{}, &Kafka{},
		&ZooKeeper{}, &AMQP{}, &MQTT{},
	}
}

module github.com/portwatch/portwatch

go 1.26.8

require (
	github.com/dlclark/regexp2 v1.12.0
	github.com/gopacket/gopacket v1.7.7
	github.com/gosnmp/gosnmp v1.47.0
	github.com/miekg/dns v1.1.73
	github.com/spf13/cobra v1.10.2
	golang.org/x/net v0.57.0
	golang.org/x/sys v0.49.0
	golang.org/x/term v0.47.0
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)

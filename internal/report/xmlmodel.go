package report

import "encoding/xml"

// The types below mirror the subset of nmap's XML output (nmap.dtd,
// xmloutputversion 1.05) that portwatch writes and reads. Attributes that
// are only written, never interpreted on reading, are strings so that the
// reader stays lenient with files from other nmap versions.

// xmlRun is the <nmaprun> root element.
type xmlRun struct {
	XMLName          xml.Name      `xml:"nmaprun"`
	Scanner          string        `xml:"scanner,attr"`
	Args             string        `xml:"args,attr"`
	Start            string        `xml:"start,attr,omitempty"`
	StartStr         string        `xml:"startstr,attr,omitempty"`
	Version          string        `xml:"version,attr"`
	XMLOutputVersion string        `xml:"xmloutputversion,attr"`
	ScanInfo         []xmlScanInfo `xml:"scaninfo"`
	Verbose          xmlLevel      `xml:"verbose"`
	Debugging        xmlLevel      `xml:"debugging"`
	Targets          []xmlTarget   `xml:"target"`
	Outputs          []xmlOutput   `xml:"output"`
	Hosts            []xmlHost     `xml:"host"`
	RunStats         xmlRunStats   `xml:"runstats"`
}

// xmlScanInfo is <scaninfo>: one per scanned protocol.
type xmlScanInfo struct {
	Type        string `xml:"type,attr"`
	Protocol    string `xml:"protocol,attr"`
	NumServices string `xml:"numservices,attr"`
	Services    string `xml:"services,attr"`
}

// xmlLevel is <verbose> and <debugging>.
type xmlLevel struct {
	Level string `xml:"level,attr"`
}

// xmlTarget is <target>: a target nmap skipped (e.g. failed to resolve).
type xmlTarget struct {
	Specification string `xml:"specification,attr"`
	Status        string `xml:"status,attr,omitempty"`
	Reason        string `xml:"reason,attr,omitempty"`
}

// xmlOutput is <output>: a message as it would appear on the terminal.
type xmlOutput struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// xmlHost is <host>.
type xmlHost struct {
	StartTime  string         `xml:"starttime,attr,omitempty"`
	EndTime    string         `xml:"endtime,attr,omitempty"`
	Status     xmlStatus      `xml:"status"`
	Addresses  []xmlAddress   `xml:"address"`
	Hostnames  xmlHostnames   `xml:"hostnames"`
	Ports      *xmlPorts      `xml:"ports"`
	HostScript *xmlHostScript `xml:"hostscript"`
	Times      *xmlTimes      `xml:"times"`
}

// xmlStatus is <status> of a host.
type xmlStatus struct {
	State     string `xml:"state,attr"`
	Reason    string `xml:"reason,attr"`
	ReasonTTL string `xml:"reason_ttl,attr"`
}

// xmlAddress is <address>.
type xmlAddress struct {
	Addr     string `xml:"addr,attr"`
	AddrType string `xml:"addrtype,attr"`
}

// xmlHostnames is <hostnames>.
type xmlHostnames struct {
	Names []xmlHostname `xml:"hostname"`
}

// xmlHostname is <hostname>.
type xmlHostname struct {
	Name string `xml:"name,attr"`
	Type string `xml:"type,attr"`
}

// xmlPorts is <ports>.
type xmlPorts struct {
	Extra []xmlExtraPorts `xml:"extraports"`
	Ports []xmlPort       `xml:"port"`
}

// xmlExtraPorts is <extraports>: ports not listed, counted by state.
type xmlExtraPorts struct {
	State   string            `xml:"state,attr"`
	Count   string            `xml:"count,attr"`
	Reasons []xmlExtraReasons `xml:"extrareasons"`
}

// xmlExtraReasons is <extrareasons>.
type xmlExtraReasons struct {
	Reason string `xml:"reason,attr"`
	Count  string `xml:"count,attr"`
}

// xmlPort is <port>.
type xmlPort struct {
	Protocol string      `xml:"protocol,attr"`
	PortID   string      `xml:"portid,attr"`
	State    xmlState    `xml:"state"`
	Service  *xmlService `xml:"service"`
}

// xmlState is <state> of a port.
type xmlState struct {
	State     string `xml:"state,attr"`
	Reason    string `xml:"reason,attr"`
	ReasonTTL string `xml:"reason_ttl,attr"`
}

// xmlHostScript is <hostscript>: script results about the whole host.
type xmlHostScript struct {
	Scripts []xmlScript `xml:"script"`
}

// xmlScript is <script> inside <hostscript>.
type xmlScript struct {
	ID     string `xml:"id,attr"`
	Output string `xml:"output,attr"`
}

// xmlTimes is <times>: round-trip estimates in microseconds.
type xmlTimes struct {
	SRTT   string `xml:"srtt,attr"`
	RTTVar string `xml:"rttvar,attr"`
	To     string `xml:"to,attr"`
}

// xmlRunStats is <runstats>.
type xmlRunStats struct {
	Finished xmlFinished   `xml:"finished"`
	Hosts    xmlHostCounts `xml:"hosts"`
}

// xmlFinished is <finished>.
type xmlFinished struct {
	Time     string `xml:"time,attr"`
	TimeStr  string `xml:"timestr,attr,omitempty"`
	Elapsed  string `xml:"elapsed,attr"`
	Summary  string `xml:"summary,attr,omitempty"`
	Exit     string `xml:"exit,attr,omitempty"`
	ErrorMsg string `xml:"errormsg,attr,omitempty"`
}

// xmlHostCounts is <hosts> inside <runstats>.
type xmlHostCounts struct {
	Up    string `xml:"up,attr"`
	Down  string `xml:"down,attr"`
	Total string `xml:"total,attr"`
}

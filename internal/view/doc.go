// Package view is the read side the API and the dashboard share: the
// daemon's current endpoint states joined with the configuration (groups,
// labels, monitors) and the open findings, filtered, sorted and paged the
// same way for both, plus the latency and availability figures of one
// endpoint from the store's rollups.
//
// Current states and open findings come from the daemon's memory, so a
// listing of 10,000 endpoints costs a copy and a sort, not a database
// scan; history (changes, findings, scans, rollups) comes from the store
// with the page's limits pushed into SQL.
package view

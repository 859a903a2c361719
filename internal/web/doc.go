// Package web is the dashboard: server-rendered html/template pages,
// one stylesheet and one small script embedded in the binary (no CDN, no
// build step), SVG charts drawn by internal/web/chart, session login
// with CSRF tokens, role-aware write buttons and a server-sent-events
// stream that lets the script refresh a page in place.
//
// Every read goes through internal/view (the same read side as the API);
// every write goes through the daemon or the store and leaves an audit
// entry.
package web

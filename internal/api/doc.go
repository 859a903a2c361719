// Package api serves the REST API under /api/v1: JSON over HTTP, every
// route authenticated (API token or dashboard session) and gated by a
// role, every write recorded in the audit log. The routes are one table
// (Routes), which the OpenAPI document docs/openapi.yaml is tested
// against. Reads of current state go through internal/view, the read
// side the dashboard shares; history comes from the store with the
// page's limits pushed into SQL.
package api

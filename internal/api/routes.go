package api

import (
	"net/http"

	"github.com/portwatch/portwatch/internal/auth"
)

// Route is one API operation: method, path template (net/http pattern
// syntax), the least role that may call it, and for writes the action
// recorded in the audit log.
type Route struct {
	Method  string
	Pattern string
	Role    auth.Role
	Summary string
	// Action names a write in the audit log ("silence.create"); empty
	// for reads.
	Action string
	handle handlerFunc
}

// passwordPattern is the one route a user with a one-time password may
// call.
const passwordPattern = Prefix + "/me/password"

const (
	get    = http.MethodGet
	post   = http.MethodPost
	patch  = http.MethodPatch
	del    = http.MethodDelete
	viewer = auth.RoleViewer
	oper   = auth.RoleOperator
	admin  = auth.RoleAdmin
)

// Routes lists every API route. The OpenAPI document is tested against
// it, and so is the role of each route.
func Routes() []Route {
	p := Prefix
	ep := p + "/endpoints/{addr}/{protocol}/{port}"
	return []Route{
		{get, p + "/me", viewer, "who am I: name, kind and role", "", (*server).me},
		{post, passwordPattern, viewer, "change my password", "user.password", (*server).changePassword},

		{get, p + "/hosts", viewer, "hosts with their endpoints summed up", "", (*server).listHosts},
		{get, p + "/hosts/{addr}", viewer, "one host: summary and endpoints", "", (*server).getHost},
		{get, p + "/endpoints", viewer, "endpoints with current state", "", (*server).listEndpoints},
		{get, ep, viewer, "one endpoint: state, service, findings, monitors, latency and availability", "", (*server).getEndpoint},
		{get, ep + "/history", viewer, "an endpoint's raw observations, oldest first", "", (*server).endpointHistory},
		{get, p + "/locations", viewer, "vantage points with endpoint counts", "", (*server).listLocations},
		{get, p + "/changes", viewer, "changes of endpoints", "", (*server).listChanges},

		{get, p + "/findings", viewer, "findings", "", (*server).listFindings},
		{get, p + "/findings/{id}", viewer, "one finding", "", (*server).getFinding},
		{post, p + "/findings/{id}/ack", oper, "acknowledge a finding", "finding.ack", (*server).ackFinding},
		{post, p + "/findings/{id}/resolve", oper, "resolve a finding by hand", "finding.resolve", (*server).resolveFinding},
		{get, p + "/incidents", viewer, "incidents: notifications grouped by incident key", "", (*server).listIncidents},
		{get, p + "/incidents/{key}", viewer, "one incident (key path-escaped)", "", (*server).getIncident},
		{post, p + "/incidents/{key}/ack", oper, "acknowledge an incident's findings", "incident.ack", (*server).ackIncident},

		{get, p + "/scans", viewer, "discovery scans, newest first", "", (*server).listScans},
		{post, p + "/scans", oper, "start a discovery job now", "scan.start", (*server).startScan},
		{get, p + "/scans/running", viewer, "scans started on request that still run", "", (*server).runningScans},
		{get, p + "/scans/{id}", viewer, "one scan with its result", "", (*server).getScan},

		{get, p + "/monitors", viewer, "monitors from the configuration and the API", "", (*server).listMonitors},
		{post, p + "/monitors", oper, "create a runtime monitor", "monitor.create", (*server).createMonitor},
		{get, p + "/monitors/{name}", viewer, "one monitor", "", (*server).getMonitor},
		{del, p + "/monitors/{name}", oper, "delete a runtime monitor", "monitor.delete", (*server).deleteMonitor},
		{get, p + "/targets", viewer, "scope, groups with targets and labels, discovery jobs", "", (*server).targets},

		{get, p + "/silences", viewer, "silences", "", (*server).listSilences},
		{post, p + "/silences", oper, "create a silence", "silence.create", (*server).createSilence},
		{del, p + "/silences/{id}", oper, "expire a silence", "silence.expire", (*server).expireSilence},
		{get, p + "/maintenance", viewer, "maintenance windows from the configuration", "", (*server).listMaintenance},
		{get, p + "/notifiers", viewer, "notifiers (name and type only)", "", (*server).listNotifiers},
		{get, p + "/outbox", viewer, "notifications in the outbox, newest first", "", (*server).listOutbox},

		{get, p + "/users", admin, "users", "", (*server).listUsers},
		{post, p + "/users", admin, "create a user", "user.create", (*server).createUser},
		{patch, p + "/users/{name}", admin, "change a user's role, password or disabled flag", "user.update", (*server).updateUser},
		{del, p + "/users/{name}", admin, "delete a user", "user.delete", (*server).deleteUser},
		{get, p + "/tokens", admin, "API tokens (prefixes only)", "", (*server).listTokens},
		{post, p + "/tokens", admin, "create an API token; its secret is shown once", "token.create", (*server).createToken},
		{del, p + "/tokens/{id}", admin, "revoke an API token", "token.revoke", (*server).revokeToken},
		{get, p + "/audit", admin, "the audit log, newest first", "", (*server).listAudit},
	}
}

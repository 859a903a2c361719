package auth

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/portwatch/portwatch/internal/store"
)

// Audit records one write in the audit log: who (the request's
// principal), what (action, e.g. "finding.ack"), on what (object, e.g.
// "finding/12"), from where and how it ended (the HTTP status). A failure
// to write the entry is logged, never returned: the write itself already
// happened.
func Audit(ctx context.Context, st store.Accounts, log *slog.Logger, r *http.Request, action, object, detail string, status int) {
	p := FromContext(r.Context())
	e := store.AuditEntry{Time: time.Now().UTC(), Actor: p.Actor(), Action: action, Object: object, Detail: detail,
		Remote: clientHost(r.RemoteAddr), Status: status}
	if err := st.AddAudit(context.WithoutCancel(ctx), e); err != nil && log != nil {
		log.Error("audit log", "err", err, "actor", e.Actor, "action", action, "object", object)
	}
}

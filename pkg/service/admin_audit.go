package service

import (
	"context"

	"github.com/simvid/simvid/pkg/simvid"
)

// RecordAudit appends an admin action to the audit log (setting its ID and, when zero, its time).
func (s *Service) RecordAudit(ctx context.Context, e *simvid.AuditEvent) error {
	return s.store.AddAudit(ctx, e)
}

// ListAudit returns the audit events f selects, newest first.
func (s *Service) ListAudit(ctx context.Context, f simvid.AuditFilter) ([]*simvid.AuditEvent, error) {
	return s.store.ListAudit(ctx, f)
}

package service

import (
	"context"

	"github.com/simvid/simvid/pkg/simvid"
)

// ListAPIKeys returns every API key (never a secret), revoked ones too, newest first.
func (s *Service) ListAPIKeys(ctx context.Context) ([]*simvid.APIKey, error) {
	return s.store.ListAPIKeys(ctx)
}

// WebhookLog returns the webhook delivery attempts, newest first, of every render, or with
// renderID set of that render's only (the admin's delivery log).
func (s *Service) WebhookLog(ctx context.Context, renderID string, limit int) ([]*simvid.WebhookDelivery, error) {
	return s.store.ListWebhookDeliveries(ctx, renderID, limit)
}

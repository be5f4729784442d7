package service

import (
	"context"

	"github.com/simvid/simvid/pkg/simvid"
)

// ListAPIKeys returns every API key (never a secret), revoked ones too, newest first.
func (s *Service) ListAPIKeys(ctx context.Context) ([]*simvid.APIKey, error) {
	return s.store.ListAPIKeys(ctx)
}

// WebhookDeliveries returns webhook delivery attempts newest first: renderID's, or with ""
// every render's.
func (s *Service) WebhookDeliveries(ctx context.Context, renderID string, limit int) ([]*simvid.WebhookDelivery, error) {
	return s.store.ListWebhookDeliveries(ctx, renderID, limit)
}

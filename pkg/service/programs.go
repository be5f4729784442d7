package service

import (
	"context"

	"github.com/simvid/simvid/pkg/simvid"
)

// Ping says whether the database answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// KeyProjects returns up to limit projects of API key keyID, most recently updated first.
func (s *Service) KeyProjects(ctx context.Context, keyID string, limit int) ([]*simvid.Project, error) {
	return s.store.ListProjects(ctx, simvid.ProjectFilter{OwnerKey: keyID, Limit: limit})
}

// WebhookDeliveries returns up to limit delivery attempts of a render's webhook, newest first.
func (s *Service) WebhookDeliveries(ctx context.Context, renderID string, limit int) ([]*simvid.WebhookDelivery, error) {
	if err := checkID(simvid.PrefixRender, renderID, "render"); err != nil {
		return nil, err // the store reads "" as every render's
	}
	return s.store.ListWebhookDeliveries(ctx, renderID, limit)
}

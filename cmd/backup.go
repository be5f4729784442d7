package cmd

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/backup"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/objstore"
)

func newBackup() *cobra.Command {
	c := &cobra.Command{
		Use:   "backup DIR",
		Short: "Copy the database and the project files into DIR (online: simvid may keep running)",
		Long: "Copy the database (SQLite with VACUUM INTO, PostgreSQL with pg_dump) and then the\n" +
			"project files (of the data directory, or of the bucket with storage.url) into DIR, a new or empty directory, with a manifest.\n" +
			"Redis and the render cache are not copied: both are rebuilt.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(cmd.Flags(), os.LookupEnv)
			if err != nil {
				return err
			}
			o, err := backupOptions(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			m, err := backup.Create(cmd.Context(), o, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup of the %s database and %d files (%.1f MiB) written to %s\n",
				m.Dialect, m.Files, float64(m.Bytes)/(1<<20), args[0])
			return nil
		},
	}
	config.BindFlags(c.Flags())
	return c
}

func newRestore() *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "restore DIR",
		Short: "Put a backup made by `simvid backup` back (stop every simvid process first)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(cmd.Flags(), os.LookupEnv)
			if err != nil {
				return err
			}
			o, err := backupOptions(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			m, err := backup.Restore(cmd.Context(), o, args[0], force)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored the %s database and %d files from the backup of %s\n",
				m.Dialect, m.Files, m.CreatedAt.Format("2006-01-02 15:04:05 MST"))
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "replace a database and data directory that already hold projects")
	config.BindFlags(c.Flags())
	return c
}

// backupOptions names what a backup copies: the database, and the project files of the
// data directory, or of the bucket when storage.url is set.
func backupOptions(ctx context.Context, cfg *config.Config) (backup.Options, error) {
	o := backup.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Version: version}
	if cfg.Storage.URL == "" {
		return o, nil
	}
	sc, err := objstore.Parse(cfg.Storage.URL)
	if err != nil {
		return o, fmt.Errorf("storage.url: %w", err)
	}
	b, err := objstore.Open(ctx, sc, zap.NewNop())
	if err != nil {
		return o, fmt.Errorf("storage.url: %w", err)
	}
	o.Remote = mediastore.New(b)
	return o, nil
}

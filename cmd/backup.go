package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/simvid/simvid/pkg/backup"
	"github.com/simvid/simvid/pkg/config"
)

func newBackup() *cobra.Command {
	c := &cobra.Command{
		Use:   "backup DIR",
		Short: "Copy the database and the project files into DIR (online: simvid may keep running)",
		Long: "Copy the database (SQLite with VACUUM INTO, PostgreSQL with pg_dump) and then the\n" +
			"project files of the data directory into DIR, a new or empty directory, with a manifest.\n" +
			"Redis and the render cache are not copied: both are rebuilt.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(cmd.Flags(), os.LookupEnv)
			if err != nil {
				return err
			}
			m, err := backup.Create(cmd.Context(), backupOptions(cfg), args[0])
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
			m, err := backup.Restore(cmd.Context(), backupOptions(cfg), args[0], force)
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

func backupOptions(cfg *config.Config) backup.Options {
	return backup.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Version: version}
}

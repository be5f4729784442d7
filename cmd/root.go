// Package cmd is simvid's command tree: serve, work, all, render, doctor and version.
package cmd

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/config"
)

// version is set at build time with -ldflags "-X github.com/simvid/simvid/cmd.version=...".
var version = "dev"

// Execute runs the command line and exits non-zero on error.
func Execute() {
	if err := newRoot().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "simvid:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "simvid",
		Short: "simvid turns photos and music into slideshow videos",
		Long: "simvid turns photos and music into slideshow videos.\n\n" +
			"  simvid all                 web page, API and workers in one process\n" +
			"  simvid serve               web page and API (needs Redis)\n" +
			"  simvid work --queue=video  render workers (needs Redis)\n" +
			"  simvid render a.jpg b.png --audio song.mp3 -o out.mp4",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServe(), newWork(), newAll(), newRender(), newDoctor(), newBackup(), newRestore(), newVersion())
	return root
}

// loadConfig reads the configuration for a command whose flags were bound with
// config.BindFlags, and builds the logger.
func loadConfig(cmd *cobra.Command) (*config.Config, *zap.Logger, error) {
	cfg, err := config.Load(cmd.Flags(), os.LookupEnv)
	if err != nil {
		return nil, nil, err
	}
	log, err := config.NewLogger(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, log, nil
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print simvid's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "simvid", version)
		},
	}
}

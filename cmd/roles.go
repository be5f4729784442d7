package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/jobs"
)

func newServe() *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web page and the API (renders run on `simvid work`)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRoles(cmd, app.Roles{Serve: true})
		},
	}
	config.BindFlags(c.Flags())
	return c
}

func newWork() *cobra.Command {
	var queues string
	var concurrency int
	c := &cobra.Command{
		Use:   "work",
		Short: "Run render and music workers",
		Example: "  simvid work --queue=video --concurrency=2\n" +
			"  simvid work --queue=video,audio",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			qs, err := parseQueues(queues, concurrency)
			if err != nil {
				return err
			}
			return runRoles(cmd, app.Roles{Queues: qs})
		},
	}
	c.Flags().StringVar(&queues, "queue", "video,audio", "queues to work: video, audio, or both comma-separated")
	c.Flags().IntVar(&concurrency, "concurrency", 2, "jobs at once per queue")
	config.BindFlags(c.Flags())
	return c
}

func newAll() *cobra.Command {
	c := &cobra.Command{
		Use:   "all",
		Short: "Run everything in one process: page, API and workers (embedded Redis and SQLite when none is configured)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRoles(cmd, app.Roles{Serve: true, EmbeddedRedis: true})
		},
	}
	config.BindFlags(c.Flags())
	return c
}

// parseQueues reads --queue into queue -> concurrency.
func parseQueues(list string, n int) (map[string]int, error) {
	if n < 1 {
		return nil, fmt.Errorf("--concurrency must be at least 1")
	}
	qs := map[string]int{}
	for _, q := range strings.Split(list, ",") {
		q = strings.TrimSpace(q)
		if _, ok := jobs.JobsOf[q]; !ok {
			return nil, fmt.Errorf("--queue: unknown queue %q (queues: video, audio)", q)
		}
		qs[q] = n
	}
	return qs, nil
}

// runRoles builds the app for the roles and runs it until SIGINT/SIGTERM.
func runRoles(cmd *cobra.Command, roles app.Roles) error {
	cfg, log, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	defer log.Sync()         //nolint:errcheck
	if roles.EmbeddedRedis { // `all`: every queue, sized by configuration
		roles.Queues = map[string]int{jobs.QueueVideo: cfg.Workers.Video, jobs.QueueAudio: cfg.Workers.Audio}
	}
	ctx, stop := signalContext()
	defer stop()
	a, err := app.New(ctx, cfg, log, roles)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx, func() {
		fields := []zap.Field{zap.String("version", version)}
		if addr := a.Addr(); addr != "" {
			url := "http://" + displayAddr(addr) + "/"
			fields = append(fields, zap.String("url", url))
			fmt.Fprintf(cmd.OutOrStdout(), "simvid is ready: %s\n", url)
		}
		if m := a.MetricsAddr(); m != "" {
			fields = append(fields, zap.String("metrics", "http://"+m+"/metrics"))
		}
		log.Info("simvid started", fields...)
	})
}

// displayAddr turns ":8080" or "[::]:8080" into something a browser opens.
func displayAddr(addr string) string {
	host, port, ok := strings.Cut(addr, "]:")
	if ok {
		host = strings.TrimPrefix(host, "[")
	} else if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		host, port = addr[:i], addr[i+1:]
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return host + ":" + port
}

// Package cli is natowatch's command line: it parses flags, loads the
// config, sets up logging and signals, and hands over to package app.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/state"
)

// Version is set at build time with -ldflags "-X github.com/natowatch/natowatch/cli.Version=…".
var Version = "dev"

const usage = `natowatch watches NATO's publications and posts alerts to Discord.

Usage:
  natowatch [--config FILE] run             check on each source's schedule, deliver continuously
  natowatch [--config FILE] once [--dry-run] check every source once, deliver, exit
  natowatch [--config FILE] preview URL|FILE [--url URL] [--json]
                                            show the alert a page would give (no state, no Discord)
  natowatch migrate --from STATE --to STATE  copy the whole state, e.g. natowatch.db to postgres://…
  natowatch version

--config defaults to natowatch.yaml; without that file a built-in default
watches nato.int into natowatch.db with no targets.

Exit status: 0 success; 1 a source could not be read or an alert not
delivered (details on stderr); 2 bad usage or configuration.
`

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// Main runs the command line and returns the exit code. SIGINT and SIGTERM
// stop it gracefully.
func Main(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return MainContext(ctx, args, stdout, stderr, getenv)
}

// MainContext is Main with the caller's context: cancelling it is a
// graceful stop. Tests embed the whole program through it.
func MainContext(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("natowatch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	cfgPath := fs.String("config", "", "configuration file (default natowatch.yaml)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	if cmd == "version" {
		fmt.Fprintln(stdout, "natowatch", Version)
		return exitOK
	}
	if cmd == "migrate" {
		return runMigrate(rest, stdout, stderr)
	}
	if cmd == "doctor" {
		return runDoctor(ctx, *cfgPath, getenv, rest, stdout, stderr)
	}
	if cmd != "run" && cmd != "once" && cmd != "preview" {
		fmt.Fprintf(stderr, "natowatch: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	if cmd == "preview" {
		// A preview uses no secret: an unset ${VAR} is no reason to refuse.
		env := getenv
		getenv = func(k string) string {
			if v := env(k); v != "" {
				return v
			}
			return "unset-" + k
		}
	}
	cfg, err := loadConfig(*cfgPath, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "natowatch: %v\n", err)
		return exitUsage
	}
	log := newLogger(cfg, stderr)
	switch cmd {
	case "run":
		return runDaemon(ctx, cfg, log, rest, stderr)
	case "once":
		return runOnce(ctx, cfg, log, rest, stdout, stderr)
	default:
		return runPreview(ctx, cfg, rest, stdout, stderr)
	}
}

func loadConfig(path string, getenv func(string) string) (*config.Config, error) {
	if path == "" {
		if _, err := os.Stat("natowatch.yaml"); errors.Is(err, os.ErrNotExist) {
			return config.Default(), nil
		}
		path = "natowatch.yaml"
	}
	return config.Load(path, getenv)
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runDaemon(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "natowatch run: unexpected arguments %q\n", args)
		return exitUsage
	}
	a, closeFn, err := build(ctx, cfg, log, app.Options{Version: Version}, withBot())
	if err != nil {
		fmt.Fprintf(stderr, "natowatch: %v\n", err)
		return exitFailed
	}
	defer closeFn()
	if err := a.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "natowatch: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func runOnce(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("once", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dry := fs.Bool("dry-run", false, "print the alerts as JSON lines and change nothing")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "natowatch once: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	opt := app.Options{}
	if *dry {
		opt.Notifier = &printer{w: stdout}
		opt.PostLatest = 3
		opt.ExtraTargets = []string{dryRunTarget}
		opt.NoPrune = true // the copy is thrown away
		c := *cfg
		c.Targets = nil
		cfg = &c
	}
	a, closeFn, err := build(ctx, cfg, log, opt, withDryRun(*dry))
	if err != nil {
		fmt.Fprintf(stderr, "natowatch: %v\n", err)
		return exitFailed
	}
	defer closeFn()
	if err := a.Once(ctx); err != nil {
		fmt.Fprintf(stderr, "natowatch once: %v\n", err)
		return exitFailed
	}
	return exitOK
}

type buildOpts struct{ dryRun, bot bool }

func withDryRun(b bool) func(*buildOpts) { return func(o *buildOpts) { o.dryRun = b } }

// withBot connects the daemon to the gateway when a bot token is set.
func withBot() func(*buildOpts) { return func(o *buildOpts) { o.bot = true } }

// build opens the store and the notifier and wires the app. A dry run works
// on a throw-away copy of the state.
func build(ctx context.Context, cfg *config.Config, log *slog.Logger, opt app.Options, mods ...func(*buildOpts)) (*app.App, func(), error) {
	var bo buildOpts
	for _, m := range mods {
		m(&bo)
	}
	store, cleanup, err := openStore(ctx, cfg.State, bo.dryRun)
	if err != nil {
		return nil, nil, err
	}
	opt.Store = store
	if opt.Notifier == nil {
		d, err := notifier.New(notifier.Options{Token: cfg.Discord.Token, API: cfg.Discord.API})
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		opt.Notifier = d
		if bo.bot {
			opt.Session = d.Bot()
		}
	}
	a, err := app.New(cfg, log, opt)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return a, cleanup, nil
}

// openStore opens the state the config names: a SQLite file, or
// PostgreSQL for a postgres:// URL. A dry run works on a throw-away SQLite
// copy, so that nothing it does is kept.
func openStore(ctx context.Context, spec string, dryRun bool) (state.Store, func(), error) {
	if !dryRun {
		s, err := state.Open(ctx, spec)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	if _, err := os.Stat(spec); !state.IsPostgres(spec) && errors.Is(err, os.ErrNotExist) {
		s, err := state.OpenSQLite(ctx, ":memory:")
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	real, err := state.Open(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "natowatch-dry-run-")
	if err != nil {
		real.Close()
		return nil, nil, err
	}
	copyPath := filepath.Join(dir, "state.db")
	err = real.Backup(ctx, copyPath)
	real.Close()
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	s, err := state.OpenSQLite(ctx, copyPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return s, func() { s.Close(); os.RemoveAll(dir) }, nil
}

func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the state to copy (a SQLite file or a postgres:// URL)")
	to := fs.String("to", "", "where to copy it (new or empty)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "natowatch migrate: give --from and --to, e.g. --from natowatch.db --to postgres://natowatch@db/natowatch")
		return exitUsage
	}
	if !state.IsPostgres(*from) {
		if _, err := os.Stat(*from); err != nil {
			fmt.Fprintf(stderr, "natowatch migrate: %v\n", err)
			return exitUsage
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := state.Migrate(ctx, *from, *to); err != nil {
		fmt.Fprintf(stderr, "natowatch migrate: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "copied the state of %s to %s\n", redactDSN(*from), redactDSN(*to))
	return exitOK
}

// redactDSN hides a password in a postgres:// URL.
func redactDSN(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
			return u.String()
		}
	}
	return s
}

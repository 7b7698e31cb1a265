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
	"strings"
	"syscall"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
)

// Version is set at build time with -ldflags "-X github.com/natowatch/natowatch/cli.Version=…".
var Version = "dev"

const usage = `natowatch watches NATO's publications and posts alerts to Discord.

Usage:
  natowatch run [--config FILE]              check on each source's schedule, deliver continuously
  natowatch once [--config FILE] [--dry-run] check every source once, deliver, exit
  natowatch preview URL|FILE [--url URL] [--json]
                                             show the alert a page would give (no state, no Discord)
  natowatch doctor [SOURCE…]                 read each source live once, report what natowatch sees
  natowatch migrate --from STATE --to STATE  copy the whole state, e.g. natowatch.db to postgres://…
  natowatch version                          print the version (also --version)
  natowatch help [COMMAND]                   this text, or a command's (also COMMAND -h)

--config may come before or after the command; it defaults to
natowatch.yaml, and without that file a built-in default watches nato.int
into natowatch.db (in the working directory) with no targets.

Exit status: 0 success, or stopped by SIGINT/SIGTERM; 1 a source could not
be read or an alert not delivered (details on stderr); 2 bad usage,
configuration or state path.
`

// commandUsage is each command's help, above its flags.
var commandUsage = map[string]string{
	"run": `Usage: natowatch run [--config FILE]

Checks each source on its schedule and delivers continuously. SIGINT or
SIGTERM stops it cleanly (exit 0).
`,
	"once": `Usage: natowatch once [--config FILE] [--dry-run]

Checks every source once, delivers, exits: for cron jobs and tests. Exit 0
when every source was read and every alert delivered, or when stopped by
SIGINT/SIGTERM (what is left is done next run); 1 otherwise; 2 for bad
usage, configuration or state path.
`,
	"preview": `Usage: natowatch preview URL|FILE [--url URL] [--json] [--config FILE]

Shows the alert one page would give, from an http(s) URL or a file (a path
or a file:// URL), read up to http.max_body bytes. No state or Discord
needed. Exit 130 when stopped by SIGINT/SIGTERM.
`,
	"migrate": `Usage: natowatch migrate --from STATE --to STATE

Copies a whole state (a SQLite file or a postgres:// URL) into a new or
empty one.
`,
	"doctor": `Usage: natowatch doctor [SOURCE…] [--config FILE]

Reads each configured source (or the ones named) live, once, and prints
the listing routes that answered (bytes, time), how many items they name,
and the newest 3 items as an alert would show them, with what looks wrong.
It writes nothing: no state, no Discord. Exit 0 when every source is ok;
1 when any has a warning; 2 for bad usage or configuration; 130 when
stopped by SIGINT/SIGTERM.
`,
	"version": "Usage: natowatch version\n\nPrints the version.\n",
	"help":    "Usage: natowatch help [COMMAND]\n\nPrints the usage of natowatch or of a command.\n",
}

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130 // preview stopped by a signal: no answer was given
)

// Main runs the command line and returns the exit code. SIGINT and SIGTERM
// stop it gracefully. lookup reads the environment (os.LookupEnv), telling
// an unset variable from an empty one.
func Main(args []string, stdout, stderr io.Writer, lookup config.Lookup) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return mainLookup(ctx, args, stdout, stderr, lookup)
}

// MainContext is Main with the caller's context: cancelling it is a
// graceful stop. Tests embed the whole program through it; getenv's empty
// values count as unset.
func MainContext(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return mainLookup(ctx, args, stdout, stderr, config.FromGetenv(getenv))
}

// env is what every command gets: the output, the environment and the
// global flags.
type env struct {
	stdout, stderr io.Writer
	lookup         config.Lookup
	cfgPath        string
}

func mainLookup(ctx context.Context, args []string, stdout, stderr io.Writer, lookup config.Lookup) int {
	e := &env{stdout: stdout, stderr: stderr, lookup: lookup}
	fs := e.flags("natowatch")
	version := fs.Bool("version", false, "print the version")
	if code, ok := e.parse(fs, "", args); !ok {
		return code
	}
	if *version {
		fmt.Fprintln(stdout, "natowatch", Version)
		return exitOK
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	switch cmd {
	case "run":
		return e.runDaemon(ctx, rest)
	case "once":
		return e.runOnce(ctx, rest)
	case "preview":
		return e.runPreview(ctx, rest)
	case "migrate":
		return e.runMigrate(ctx, rest)
	case "doctor":
		return e.runDoctor(ctx, rest)
	case "version":
		fs := e.flags(cmd)
		if code, ok := e.parse(fs, cmd, rest); !ok {
			return code
		}
		if fs.NArg() > 0 {
			return e.usageError(cmd, "unexpected arguments %q", fs.Args())
		}
		fmt.Fprintln(stdout, "natowatch", Version)
		return exitOK
	case "help":
		if len(rest) == 0 {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		if rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" || rest[0] == "-help" {
			fmt.Fprint(stdout, commandUsage["help"])
			return exitOK
		}
		if _, ok := commandUsage[rest[0]]; !ok {
			fmt.Fprintf(stderr, "natowatch help: unknown command %q\n\n%s", rest[0], usage)
			return exitUsage
		}
		// "help CMD" is "CMD -h".
		return mainLookup(ctx, []string{rest[0], "-h"}, stdout, stderr, lookup)
	}
	fmt.Fprintf(stderr, "natowatch: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// flags makes a command's flag set; --config is on every one, so that it
// may come before or after the command.
func (e *env) flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors and help itself
	fs.StringVar(&e.cfgPath, "config", e.cfgPath, "configuration `FILE` (default natowatch.yaml)")
	return fs
}

// parse parses a command's flags. On -h or --help it prints the usage on
// stdout (exit 0); on a bad flag, the error and a hint on stderr (exit 2).
// ok is false when the command should stop with code.
func (e *env) parse(fs *flag.FlagSet, cmd string, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	if err == nil {
		return exitOK, true
	}
	if errors.Is(err, flag.ErrHelp) {
		if cmd == "" {
			fmt.Fprint(e.stdout, usage)
			return exitOK, false
		}
		fmt.Fprint(e.stdout, commandUsage[cmd], "\nFlags:\n")
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		return exitOK, false
	}
	name := strings.TrimSpace("natowatch " + cmd)
	fmt.Fprintf(e.stderr, "%s: %v\nRun '%s -h' for usage.\n", name, err, name)
	return exitUsage, false
}

// parseMixed parses a command's flags where they may stand among its
// arguments, and returns the arguments.
func (e *env) parseMixed(fs *flag.FlagSet, cmd string, args []string) (pos []string, code int, ok bool) {
	for {
		if code, ok := e.parse(fs, cmd, args); !ok {
			return nil, code, false
		}
		if fs.NArg() == 0 {
			return pos, exitOK, true
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// usageError reports bad arguments of a command.
func (e *env) usageError(cmd, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "natowatch %s: %s\nRun 'natowatch %s -h' for usage.\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitUsage
}

// load reads the configuration and makes the logger; on a problem it
// reports it and returns the exit code. A config that blocks (a named
// pipe) gives way to a signal: exit 0, or 130 for a preview (as its
// result() does).
func (e *env) load(ctx context.Context, cmd string) (*config.Config, *slog.Logger, int) {
	type result struct {
		cfg *config.Config
		err error
	}
	done := make(chan result, 1)
	go func() {
		cfg, err := loadConfig(e.cfgPath, e.lookup)
		done <- result{cfg, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		fmt.Fprintf(e.stderr, "natowatch %s: stopped by signal while reading the config\n", cmd)
		if cmd == "preview" {
			return nil, nil, exitInterrupted
		}
		return nil, nil, exitOK
	}
	if r.err != nil {
		fmt.Fprintf(e.stderr, "natowatch %s: %v\n", cmd, r.err)
		return nil, nil, exitUsage
	}
	return r.cfg, newLogger(r.cfg, e.stderr), exitOK
}

// lenient lets a command that uses no secret (doctor, preview) run without
// the daemon's environment: an unset ${VAR} reads as a placeholder. The
// function returned names, after a config problem, the variables read so,
// whose placeholders may be what the problem is about.
func (e *env) lenient() (unset func(cmd string)) {
	lookup := e.lookup
	var names []string
	e.lookup = func(k string) (string, bool) {
		if v, _ := lookup(k); v != "" {
			return v, true
		}
		names = append(names, "${"+k+"}")
		return "unset-" + k, true
	}
	return func(cmd string) {
		if len(names) > 0 {
			fmt.Fprintf(e.stderr, "natowatch %s: not set, read as placeholders (\"unset-NAME\"): %s\n", cmd, strings.Join(names, ", "))
		}
	}
}

// loadLenient is load for a command that uses no secret (doctor,
// preview): unset variables read as placeholders, and named after a config
// problem.
func (e *env) loadLenient(ctx context.Context, cmd string) (*config.Config, *slog.Logger, int) {
	unset := e.lenient()
	cfg, log, code := e.load(ctx, cmd)
	if cfg == nil && ctx.Err() == nil { // else the config may still be being read
		unset(cmd)
	}
	return cfg, log, code
}

func loadConfig(path string, lookup config.Lookup) (*config.Config, error) {
	if path == "" {
		if _, err := os.Stat("natowatch.yaml"); errors.Is(err, os.ErrNotExist) {
			return config.Default(), nil
		}
		path = "natowatch.yaml"
	}
	return config.LoadLookup(path, lookup)
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

func (e *env) runDaemon(ctx context.Context, args []string) int {
	cfg, log, code := e.loadForState(ctx, e.flags("run"), "run", args, nil)
	if cfg == nil {
		return code
	}
	a, closeFn, err := build(ctx, cfg, log, app.Options{Version: Version}, withBot())
	if err == nil {
		defer closeFn()
		err = a.Run(ctx)
	}
	return e.result("run", ctx, log, err)
}

// loadForState is the start of a command that works on the state (run,
// once): its flags (no arguments), the configuration and the logger, and
// the state's folder checked (only read by a dry run). cfg is nil when the
// command should stop with code.
func (e *env) loadForState(ctx context.Context, fs *flag.FlagSet, cmd string, args []string, dryRun *bool) (*config.Config, *slog.Logger, int) {
	if code, ok := e.parse(fs, cmd, args); !ok {
		return nil, nil, code
	}
	if fs.NArg() > 0 {
		return nil, nil, e.usageError(cmd, "unexpected arguments %q", fs.Args())
	}
	cfg, log, code := e.load(ctx, cmd)
	if cfg == nil {
		return nil, nil, code
	}
	if err := checkStatePath(cfg.State, dryRun != nil && *dryRun); err != nil {
		fmt.Fprintf(e.stderr, "natowatch %s: %v\n", cmd, err)
		return nil, nil, exitUsage
	}
	return cfg, log, exitOK
}

// result turns what a command returned into its exit code. A stop by
// SIGINT or SIGTERM is never a failure: what was left undone is picked up
// by the next run (nothing is lost), and systemd, cron and shells should
// not report a planned stop, so it is exit 0, as alertmanager and
// prometheus do.
func (e *env) result(cmd string, ctx context.Context, log *slog.Logger, err error) int {
	if ctx.Err() != nil {
		if err != nil {
			log.Info("stopped by signal; what is left is done on the next run")
		}
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "natowatch %s: %v\n", cmd, err)
		if errors.Is(err, state.ErrNotNatowatch) { // the config names the wrong file
			return exitUsage
		}
		return exitFailed
	}
	return exitOK
}

func (e *env) runOnce(ctx context.Context, args []string) int {
	fs := e.flags("once")
	dry := fs.Bool("dry-run", false, "print the alerts as JSON lines and change nothing")
	cfg, log, code := e.loadForState(ctx, fs, "once", args, dry)
	if cfg == nil {
		return code
	}
	opt := app.Options{}
	if *dry {
		opt.Notifier = &printer{w: e.stdout}
		opt.PostLatest = 3
		opt.ExtraTargets = []release.Target{{Kind: release.TargetWebhook, ID: dryRunTarget}}
		opt.NoPrune = true // the copy is thrown away
		c := *cfg
		c.Targets = nil
		cfg = &c
	}
	a, closeFn, err := build(ctx, cfg, log, opt, withDryRun(*dry))
	if err == nil {
		defer closeFn()
		err = a.Once(ctx)
	}
	return e.result("once", ctx, log, err)
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
	dir, err := os.MkdirTemp("", "natowatch-dry-run-")
	if err != nil {
		return nil, nil, err
	}
	copyPath := filepath.Join(dir, "state.db")
	if state.IsPostgres(spec) {
		err = backupPostgres(ctx, spec, copyPath)
	} else {
		// Without the state's lock: a dry run may look while run holds it.
		err = state.SnapshotSQLite(ctx, spec, copyPath)
	}
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

func backupPostgres(ctx context.Context, spec, to string) error {
	real, err := state.Open(ctx, spec)
	if err != nil {
		return err
	}
	defer real.Close()
	return real.Backup(ctx, to)
}

func (e *env) runMigrate(ctx context.Context, args []string) int {
	fs := e.flags("migrate")
	from := fs.String("from", "", "the `STATE` to copy (a SQLite file or a postgres:// URL)")
	to := fs.String("to", "", "where to copy it (new or empty), a `STATE`")
	if code, ok := e.parse(fs, "migrate", args); !ok {
		return code
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return e.usageError("migrate", "give --from and --to, e.g. --from natowatch.db --to postgres://natowatch@db/natowatch")
	}
	if !state.IsPostgres(*from) {
		if _, err := os.Stat(*from); err != nil {
			fmt.Fprintf(e.stderr, "natowatch migrate: %v\n", err)
			return exitUsage
		}
	}
	if err := checkStatePath(*to, false); err != nil {
		fmt.Fprintf(e.stderr, "natowatch migrate: --to: %v\n", err)
		return exitUsage
	}
	if err := state.Migrate(ctx, *from, *to); err != nil {
		fmt.Fprintf(e.stderr, "natowatch migrate: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "copied the state of %s to %s\n", redactDSN(*from), redactDSN(*to))
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

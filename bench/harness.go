package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/internal/fakediscord"
	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
)

// What the benchmarks share to set natowatch up: in this process (a
// configuration, its state, the app), or as a process of its own against
// the fakes.

// openConfig parses conf, the configuration of a benchmark that runs
// natowatch in this process, and opens the SQLite state it names. conf
// holds the state and the sources (and targets, watches); openConfig adds
// a first run that fetches postLatest items, no rate limit and a log of
// errors only.
func openConfig(ctx context.Context, conf string, postLatest int) (*config.Config, *state.SQLite, error) {
	conf += fmt.Sprintf("first_run:\n  post_latest: %d\nhttp:\n  per_host_rate: 1000000\nlog:\n  level: error\n", postLatest)
	cfg, err := config.Parse([]byte(conf), func(string) string { return "" })
	if err != nil {
		return nil, nil, err
	}
	store, err := state.OpenSQLite(ctx, cfg.State)
	if err != nil {
		return nil, nil, err
	}
	return cfg, store, nil
}

// rssSource is a configuration's entry of an rss source.
func rssSource(name, url, schedule string) string {
	return fmt.Sprintf("  - name: %s\n    type: rss\n    url: %s\n    schedule: %q\n", name, url, schedule)
}

// newApp is natowatch in this process, with opt (its store, and a clock
// or a fetcher), logging nothing and delivering to nopNotifier.
func newApp(cfg *config.Config, opt app.Options) (*app.App, error) {
	opt.Notifier = nopNotifier{}
	return app.New(cfg, slog.New(slog.DiscardHandler), opt)
}

// nopNotifier accepts every alert; the in-process benchmarks do not
// deliver.
type nopNotifier struct{}

func (nopNotifier) Send(context.Context, notifier.Target, release.Alert, string) (string, error) {
	return "1", nil
}
func (nopNotifier) Edit(context.Context, notifier.Target, string, release.Alert) error { return nil }
func (nopNotifier) Notice(context.Context, notifier.Target, string) error              { return nil }

// startFakes starts the fake Discord (with opts) and the fake NATO site.
func startFakes(opts ...fakediscord.Option) (*fakediscord.Server, *fakenato.Site, error) {
	srv, err := fakediscord.Start(opts...)
	if err != nil {
		return nil, nil, err
	}
	site, err := fakenato.Start()
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, site, nil
}

// fakesConfig is the start of the configuration of natowatch as a process
// against the fakes: its state at db, the fake Discord, and one rss
// source, bench, the fake site's feed (the source's schedule may follow).
func fakesConfig(db string, srv *fakediscord.Server, site *fakenato.Site) string {
	return fmt.Sprintf("state: %s\ndiscord:\n  token: %s\n  api: %s\nsources:\n  - name: bench\n    type: rss\n    url: %s\n",
		db, fakediscord.DefaultToken, srv.API(), site.URL()+RSSPath)
}

// writeConfig writes conf to dir/name.yaml and returns that path.
func writeConfig(dir, name, conf string) (string, error) {
	path := filepath.Join(dir, name+".yaml")
	return path, os.WriteFile(path, []byte(conf), 0o644)
}

// process is natowatch started as a process of its own, its output kept.
type process struct {
	cmd    *exec.Cmd
	out    strings.Builder
	exited chan error // cmd.Wait's answer
}

// startNatowatch starts `natowatch --config cfg command`.
func startNatowatch(natowatch, cfg, command string) (*process, error) {
	p := &process{cmd: exec.Command(natowatch, "--config", cfg, command), exited: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.exited <- p.cmd.Wait() }()
	return p, nil
}

// tail is the last lines the process wrote.
func (p *process) tail() string { return lastLines(p.out.String(), 20) }

// stop sends the process SIGTERM and waits for it, killing it after 30 s.
func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

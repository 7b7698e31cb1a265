// Package app wires natowatch's pipeline: sources (scraper) → state →
// summary → outbox → Discord (notifier). It is the only package that sees
// them all. Three parts do the work, each with its own narrow view of the
// store and its own lock: the checker (checks and re-checks), the
// deliverer (the outbox worker, paused targets) and the bot (the gateway
// and slash commands). App itself is wiring: New, Once and Run.
package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// Source lists a source's items and fetches their pages.
type Source interface {
	Name() string
	List(ctx context.Context, validators scraper.ValidatorsFunc) (*scraper.Listing, error)
	Fetch(ctx context.Context, c scraper.Candidate, v release.Validators) (*scraper.Item, error)
}

// Notifier delivers an alert to a target and can edit what it sent.
type Notifier interface {
	Send(ctx context.Context, t notifier.Target, a release.Alert, nonce string) (messageID string, err error)
	Edit(ctx context.Context, t notifier.Target, messageID string, a release.Alert) error
	Notice(ctx context.Context, t notifier.Target, text string) error
}

// App is one natowatch instance.
type App struct {
	cfg     *config.Config
	log     *slog.Logger
	store   state.Store
	now     func() time.Time
	sources []scheduled
	metrics *metrics
	version string
	holder  string      // this replica's name in leases and claims
	leader  atomic.Bool // whether this replica schedules the checks
	kick    chan struct{}

	check   *checker
	deliver *deliverer
	bot     *bot // nil without a Discord session

	noPrune   bool          // never prune (a dry run's throw-away copy)
	pruneTick time.Duration // how often the daemon looks whether a prune is due
}

// scheduled is a source with its schedule.
type scheduled struct {
	Source
	schedule string
}

// Options are the parts New does not build from the config itself.
type Options struct {
	Store    state.Store
	Notifier Notifier
	Sources  []Source // nil: built from the config; each named as a configured source
	Fetcher  *scraper.Fetcher
	Now      func() time.Time
	// PostLatest overrides first_run.post_latest when it is larger (dry runs show 3).
	PostLatest int
	// ExtraTargets are added to the configured ones (dry runs print to one).
	ExtraTargets []release.Target
	// Session is the bot's Discord session: with one, Run connects to the
	// gateway and answers slash commands.
	Session *discordgo.Session
	Version string
	// NoPrune: Once does not prune the state (a dry run works on a copy
	// that is thrown away).
	NoPrune bool
}

// New wires an App from a validated config.
func New(cfg *config.Config, log *slog.Logger, opt Options) (*App, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{
		cfg:       cfg,
		log:       log,
		store:     opt.Store,
		now:       opt.Now,
		version:   opt.Version,
		holder:    replicaName(),
		kick:      make(chan struct{}, 1),
		noPrune:   opt.NoPrune,
		pruneTick: pruneTick,
	}
	tg := newTargets(cfg, opt.ExtraTargets)
	aud, err := newAudiences(cfg, tg, opt.Store)
	if err != nil {
		return nil, err
	}
	a.metrics = newMetrics(func() float64 {
		c, err := a.store.Outbox(context.Background())
		if err != nil {
			return -1
		}
		return float64(c.Pending)
	})
	var ops *notifier.Target
	switch {
	case cfg.Discord.OpsChannel != "":
		ops = &notifier.Target{Channel: cfg.Discord.OpsChannel}
	case cfg.Discord.OpsWebhook != "":
		ops = &notifier.Target{Webhook: cfg.Discord.OpsWebhook}
	}
	a.check = &checker{cfg: cfg, log: log, store: opt.Store, now: opt.Now, metrics: a.metrics, audiences: aud,
		postLast: max(cfg.FirstRun.PostLatest, opt.PostLatest), kick: a.Kick, notify: opt.Notifier, ops: ops,
		lastOK: map[string]time.Time{}, lookedAt: map[string]map[int64]time.Time{}, budgets: map[string]time.Duration{},
		recent: map[string]recentCache{}}
	a.deliver = &deliverer{cfg: cfg, log: log, store: opt.Store, notify: opt.Notifier, now: opt.Now, metrics: a.metrics,
		targets: tg, holder: a.holder, paused: map[release.Target]pauseState{}}
	if opt.Session != nil {
		a.bot = &bot{cfg: cfg, log: log, store: opt.Store, now: opt.Now, session: opt.Session, holder: a.holder,
			version: opt.Version, status: a.status}
	}
	schedules := map[string]string{}
	for _, s := range cfg.Sources {
		schedules[s.Name] = s.Schedule
	}
	if opt.Sources == nil {
		f := opt.Fetcher
		if f == nil {
			f = NewFetcher(cfg)
		}
		for _, s := range cfg.Sources {
			opt.Sources = append(opt.Sources, scraper.NewSource(SourceConfig(s), f))
		}
	}
	for _, s := range opt.Sources {
		a.sources = append(a.sources, scheduled{s, schedules[s.Name()]})
	}
	return a, nil
}

// Check reads one source once (checker.check).
func (a *App) Check(ctx context.Context, src Source) (CheckResult, error) {
	return a.check.check(ctx, src)
}

// Deliver makes one pass over the outbox (deliverer.pass).
func (a *App) Deliver(ctx context.Context) (DeliverResult, error) {
	return a.deliver.pass(ctx)
}

// Kick asks the delivery loop to run now.
func (a *App) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// NewFetcher builds the HTTP fetcher the config describes.
func NewFetcher(cfg *config.Config) *scraper.Fetcher {
	return scraper.NewFetcher(scraper.FetcherOptions{
		UserAgent:   cfg.HTTP.UserAgent,
		Timeout:     cfg.HTTP.Timeout.D(),
		MaxBody:     cfg.HTTP.MaxBody,
		PerHostRate: cfg.HTTP.PerHostRate,
		BackoffBase: cfg.HTTP.Backoff.D(),
	})
}

// SourceConfig converts a configured source for the scraper.
func SourceConfig(s config.Source) scraper.SourceConfig {
	sc := scraper.SourceConfig{Name: s.Name, Kind: s.Type, URL: s.URL, Language: s.Language, Lookback: s.Lookback.D(), SitemapEvery: s.SitemapEvery.D()}
	if s.Selectors != nil {
		sc.Selectors = scraper.HTMLSelectors{Item: s.Selectors.Item, Link: s.Selectors.Link, Title: s.Selectors.Title, Date: s.Selectors.Date}
	}
	return sc
}

// replicaName names this process among replicas: host, pid and a random
// suffix (a restarted process is a new replica).
func replicaName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}

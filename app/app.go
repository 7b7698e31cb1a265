// Package app wires natowatch's pipeline: sources (scraper) → state →
// summary → outbox → Discord (notifier). It is the only package that sees
// them all; the seams are the small interfaces below.
package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/summary"
)

// Source lists a source's items and fetches their pages.
type Source interface {
	Name() string
	List(ctx context.Context, validators scraper.ValidatorsFunc) (*scraper.Listing, error)
	Fetch(ctx context.Context, c scraper.Candidate, v release.Validators) (*scraper.Item, error)
}

// Store keeps releases, validators, source health and the outbox.
type Store interface {
	Lookup(ctx context.Context, keys []string) (*state.Stored, error)
	Recent(ctx context.Context, source string, since time.Time) ([]state.Page, error)
	Get(ctx context.Context, id int64) (*state.Stored, error)
	Save(ctx context.Context, p state.Put, now time.Time) (int64, error)
	Touch(ctx context.Context, id int64, pageURL string, v release.Validators, lastMod, now time.Time) error
	MarkSuspect(ctx context.Context, id int64, fingerprint string) error
	NoteMissing(ctx context.Context, url string, now time.Time) (first time.Time, count int, err error)
	ForgetMissing(ctx context.Context, url string) error
	Targets(ctx context.Context, releaseID int64) ([]release.Target, error)
	Validators(ctx context.Context, url string) (release.Validators, error)
	SaveValidators(ctx context.Context, url string, v release.Validators, now time.Time) error
	Health(ctx context.Context, name string) (state.SourceHealth, error)
	RecordCheck(ctx context.Context, name string, now time.Time, cause string) (state.SourceHealth, error)
	Claim(ctx context.Context, holder string, now time.Time, limit int, lease time.Duration) ([]state.Delivery, error)
	Unclaim(ctx context.Context, holder string, ids []int64) error
	Lead(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	PendingBefore(ctx context.Context, target release.Target, id int64) (bool, error)
	MarkSent(ctx context.Context, id int64, messageID string, now time.Time) error
	MarkRetry(ctx context.Context, id int64, cause string, next time.Time) error
	MarkFailed(ctx context.Context, id int64, cause string) error
	FirstMessage(ctx context.Context, releaseID int64, target release.Target) (string, error)
	Outbox(ctx context.Context) (state.Counts, error)
	Prune(ctx context.Context, before time.Time) (state.Pruned, error)
	Turn(ctx context.Context, name, holder string, now time.Time, every time.Duration) (bool, error)
	Subscriptions(ctx context.Context, guildID string) ([]state.Subscription, error)
	Watches(ctx context.Context, guildID string) ([]state.Watch, error)
	Follows(ctx context.Context) ([]state.Follow, error)
	Subscribe(ctx context.Context, sub state.Subscription, now time.Time) error
	Unsubscribe(ctx context.Context, channelID string) (int, error)
	PutWatch(ctx context.Context, w state.Watch, now time.Time) error
	DeleteWatch(ctx context.Context, guildID, name string) (bool, error)
	PutFollow(ctx context.Context, f state.Follow, now time.Time) error
	DeleteFollow(ctx context.Context, userID string) (bool, error)
	ForgetGuild(ctx context.Context, guildID string) error
	ForgetChannel(ctx context.Context, channelID string) error
	Search(ctx context.Context, query string, limit int) ([]state.SearchHit, error)
	Latest(ctx context.Context, n int) ([]state.Stored, error)
	Close() error
}

// Notifier delivers an alert to a target and can edit what it sent.
type Notifier interface {
	Send(ctx context.Context, t notifier.Target, a release.Alert, nonce string) (messageID string, err error)
	Edit(ctx context.Context, t notifier.Target, messageID string, a release.Alert) error
	Notice(ctx context.Context, t notifier.Target, text string) error
}

// target is a configured destination with its filters.
type target struct {
	key     release.Target
	dest    notifier.Target
	types   map[release.Type]bool // empty: every type
	watches map[string]bool       // empty: every release
}

// App is one natowatch instance.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	store    Store
	notify   Notifier
	sources  []Source
	targets  map[release.Target]*target
	order    []release.Target // in config order
	now      func() time.Time
	postLast int // first_run.post_latest in effect
	kick     chan struct{}

	mu       sync.Mutex
	paused   map[release.Target]pauseState  // targets that answered 401/403/404
	lastOK   map[string]time.Time           // last successful check per source, this process
	lookedAt map[string]map[int64]time.Time // when this process last read each recent page, per source
	budgets  map[string]time.Duration       // re-check budget per source (daemon only)
	recent   map[string]recentCache         // recent pages per source, between checks
	metrics  *metrics
	// matcher holds every watch and follow; rebuilt when they change.
	matcher    *summary.Matcher
	matcherKey [32]byte
	ops        *notifier.Target // where source failures are reported, if anywhere
	session    *discordgo.Session
	version    string
	holder     string        // this replica's name in leases and claims
	leader     atomic.Bool   // whether this replica schedules the checks
	botCancel  func()        // stops the gateway's connect retries; nil while closed
	noPrune    bool          // never prune (a dry run's throw-away copy)
	pruneTick  time.Duration // how often the daemon looks whether a prune is due
}

type pauseState struct {
	until time.Time
	times int
	cause string
}

// Options are the parts New does not build from the config itself.
type Options struct {
	Store    Store
	Notifier Notifier
	Sources  []Source // nil: built from the config
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
	a := &App{
		cfg:       cfg,
		log:       log,
		store:     opt.Store,
		notify:    opt.Notifier,
		sources:   opt.Sources,
		targets:   map[release.Target]*target{},
		now:       opt.Now,
		postLast:  max(cfg.FirstRun.PostLatest, opt.PostLatest),
		kick:      make(chan struct{}, 1),
		paused:    map[release.Target]pauseState{},
		lastOK:    map[string]time.Time{},
		lookedAt:  map[string]map[int64]time.Time{},
		budgets:   map[string]time.Duration{},
		recent:    map[string]recentCache{},
		session:   opt.Session,
		version:   opt.Version,
		holder:    replicaName(),
		noPrune:   opt.NoPrune,
		pruneTick: pruneTick,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if _, err := summary.NewMatcher(a.configWatches()); err != nil {
		return nil, fmt.Errorf("watches: %w", err)
	}
	a.metrics = newMetrics(func() float64 {
		c, err := a.store.Outbox(context.Background())
		if err != nil {
			return -1
		}
		return float64(c.Pending)
	})
	for _, t := range cfg.Targets {
		tg := &target{key: t.Target(), dest: notifier.Target{Webhook: t.Webhook, Channel: t.Channel},
			types: map[release.Type]bool{}, watches: map[string]bool{}}
		for _, ty := range t.Types {
			rt, _ := release.ParseType(ty)
			tg.types[rt] = true
		}
		for _, w := range t.Watches {
			tg.watches[w] = true
		}
		a.addTarget(tg)
	}
	for _, k := range opt.ExtraTargets {
		a.addTarget(&target{key: k, types: map[release.Type]bool{}, watches: map[string]bool{}})
	}
	switch {
	case cfg.Discord.OpsChannel != "":
		a.ops = &notifier.Target{Channel: cfg.Discord.OpsChannel}
	case cfg.Discord.OpsWebhook != "":
		a.ops = &notifier.Target{Webhook: cfg.Discord.OpsWebhook}
	}
	if a.sources == nil {
		f := opt.Fetcher
		if f == nil {
			f = NewFetcher(cfg)
		}
		for _, s := range cfg.Sources {
			a.sources = append(a.sources, scraper.NewSource(SourceConfig(s), f))
		}
	}
	return a, nil
}

func (a *App) addTarget(t *target) {
	if _, dup := a.targets[t.key]; dup {
		return
	}
	a.targets[t.key] = t
	a.order = append(a.order, t.key)
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

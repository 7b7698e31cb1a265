package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/summary"
)

// Watches from the three places they come from share one matcher, named
// by namespace: the config file's, a Discord server's, a member's follow.
const (
	nsConfig = "c:"
	nsGuild  = "g:" // g:<guild>:<name>
	nsUser   = "u:" // u:<user>
)

// target is a configured destination with its filters.
type target struct {
	key     release.Target
	dest    notifier.Target
	types   map[release.Type]bool // empty: every type
	watches map[string]bool       // empty: every release
}

// targets are the configured targets, in config order.
type targets struct {
	byKey map[release.Target]*target
	order []*target
}

func newTargets(cfg *config.Config, extra []release.Target) *targets {
	tg := &targets{byKey: map[release.Target]*target{}}
	for _, t := range cfg.Targets {
		x := &target{key: t.Target(), dest: notifier.Target{Webhook: t.Webhook, Channel: t.Channel},
			types: map[release.Type]bool{}, watches: map[string]bool{}}
		for _, ty := range t.Types {
			rt, _ := release.ParseType(ty)
			x.types[rt] = true
		}
		for _, w := range t.Watches {
			x.watches[w] = true
		}
		tg.add(x)
	}
	for _, k := range extra {
		tg.add(&target{key: k})
	}
	return tg
}

func (tg *targets) add(t *target) {
	if _, dup := tg.byKey[t.key]; dup {
		return
	}
	tg.byKey[t.key] = t
	tg.order = append(tg.order, t)
}

// destination resolves an outbox target to where to send.
func (tg *targets) destination(t release.Target) (notifier.Target, bool) {
	if c, ok := tg.byKey[t]; ok {
		return c.dest, true
	}
	switch t.Kind {
	case release.TargetChannel:
		return notifier.Target{Channel: t.ID}, true
	case release.TargetDM:
		return notifier.Target{User: t.ID}, true
	}
	return notifier.Target{}, false // a webhook no longer configured
}

// audiences reads who may receive alerts, and keeps the matcher of every
// watch, rebuilt when the watches change.
type audiences struct {
	cfg     *config.Config
	targets *targets
	store   audienceStore

	mu      sync.Mutex
	matcher *summary.Matcher
	key     [32]byte
}

// audienceStore is what reading the audience needs of the store.
type audienceStore interface {
	Subscriptions(ctx context.Context, guildID string) ([]state.Subscription, error)
	Watches(ctx context.Context, guildID string) ([]state.Watch, error)
	Follows(ctx context.Context) ([]state.Follow, error)
}

func newAudiences(cfg *config.Config, tg *targets, store audienceStore) (*audiences, error) {
	if _, err := summary.NewMatcher(configWatches(cfg)); err != nil {
		return nil, fmt.Errorf("watches: %w", err)
	}
	return &audiences{cfg: cfg, targets: tg, store: store}, nil
}

// audience is everyone who may receive alerts right now: the configured
// targets, the channels subscribed from Discord, and members' follows.
type audience struct {
	targets  *targets
	matcher  *summary.Matcher
	channels []string                        // subscribed channels, in subscription order
	subs     map[string][]state.Subscription // channel → its subscriptions
	follows  []state.Follow
}

// read loads subscriptions, watches and follows, and rebuilds the matcher
// when the watches changed since the last time.
func (as *audiences) read(ctx context.Context) (*audience, error) {
	subs, err := as.store.Subscriptions(ctx, "")
	if err != nil {
		return nil, err
	}
	watches, err := as.store.Watches(ctx, "")
	if err != nil {
		return nil, err
	}
	follows, err := as.store.Follows(ctx)
	if err != nil {
		return nil, err
	}
	aud := &audience{targets: as.targets, subs: map[string][]state.Subscription{}, follows: follows}
	for _, s := range subs {
		if _, ok := aud.subs[s.ChannelID]; !ok {
			aud.channels = append(aud.channels, s.ChannelID)
		}
		aud.subs[s.ChannelID] = append(aud.subs[s.ChannelID], s)
	}
	ws := configWatches(as.cfg)
	for _, w := range watches {
		ws = append(ws, summary.Watch{Name: nsGuild + w.GuildID + ":" + w.Name, Terms: w.Terms, Exclude: w.Exclude, Role: w.Role})
	}
	for _, f := range follows {
		ws = append(ws, summary.Watch{Name: nsUser + f.UserID, Terms: f.Terms})
	}
	key, _ := json.Marshal(ws)
	sum := sha256.Sum256(key)
	as.mu.Lock()
	defer as.mu.Unlock()
	if as.matcher == nil || sum != as.key {
		m, err := summary.NewMatcher(ws)
		if err != nil {
			return nil, fmt.Errorf("watches: %w", err)
		}
		as.matcher, as.key = m, sum
	}
	aud.matcher = as.matcher
	return aud, nil
}

// lazyAudience reads the audience once, when a check first needs it: a
// check that finds nothing new never reads the subscriptions.
type lazyAudience struct {
	from *audiences
	aud  *audience
}

func (l *lazyAudience) get(ctx context.Context) (*audience, error) {
	if l.aud == nil {
		aud, err := l.from.read(ctx)
		if err != nil {
			return nil, err
		}
		l.aud = aud
	}
	return l.aud, nil
}

func configWatches(cfg *config.Config) []summary.Watch {
	var ws []summary.Watch
	for _, w := range cfg.Watches {
		ws = append(ws, summary.Watch{Name: nsConfig + w.Name, Terms: w.Terms, Exclude: w.Exclude, Role: w.MentionRole})
	}
	return ws
}

// displayName is a namespaced watch's name as people wrote it.
func displayName(ns string) string {
	switch {
	case strings.HasPrefix(ns, nsConfig):
		return strings.TrimPrefix(ns, nsConfig)
	case strings.HasPrefix(ns, nsGuild):
		_, name, _ := strings.Cut(strings.TrimPrefix(ns, nsGuild), ":")
		return name
	case strings.HasPrefix(ns, nsUser):
		return "your follow"
	}
	return ns
}

// recipients are the targets that want an alert, each with the watch
// matches that concern it: configured targets see the config's watches
// and ping their roles; a subscribed channel sees those and its own
// server's watches, and pings only its server's roles; a follower gets a
// DM with their own match. For updates, every target that got an earlier
// version gets this one too.
func (aud *audience) recipients(al *release.Alert, earlier []release.Target) []state.Recipient {
	got := map[release.Target]bool{}
	for _, k := range earlier {
		got[k] = true
	}
	matched := map[string]release.Match{}
	for _, m := range al.Matches {
		matched[m.Watch] = m
	}
	var out []state.Recipient
	add := func(t release.Target, ms []release.Match) {
		out = append(out, state.Recipient{Target: t, Matches: ms})
	}
	for _, t := range aud.targets.order {
		if got[t.key] || t.wants(al.Type, matched) {
			add(t.key, matchesFor(al.Matches, t.watches, "", true))
		}
	}
	for _, ch := range aud.channels {
		key := release.Target{Kind: release.TargetChannel, ID: ch}
		if _, configured := aud.targets.byKey[key]; configured {
			continue
		}
		subs := aud.subs[ch]
		want := got[key]
		for _, s := range subs {
			want = want || subscriptionWants(s, al.Type, matched)
		}
		if want {
			add(key, matchesFor(al.Matches, nil, subs[0].GuildID, false))
		}
	}
	for _, f := range aud.follows {
		key := release.Target{Kind: release.TargetDM, ID: f.UserID}
		if m, ok := matched[nsUser+f.UserID]; ok || got[key] {
			var ms []release.Match
			if ok {
				m.Watch, m.Role = displayName(m.Watch), ""
				ms = []release.Match{m}
			}
			add(key, ms)
		}
	}
	return out
}

// matchesFor picks the matches a target sees, with display names: config
// watches (all, or the target's filter), and a guild's own watches. Config
// roles ping only on configured targets.
func matchesFor(all []release.Match, filter map[string]bool, guild string, configTarget bool) []release.Match {
	var out []release.Match
	for _, m := range all {
		switch {
		case strings.HasPrefix(m.Watch, nsConfig):
			name := displayName(m.Watch)
			if len(filter) > 0 && !filter[name] {
				continue
			}
			if !configTarget {
				m.Role = ""
			}
		case guild != "" && strings.HasPrefix(m.Watch, nsGuild+guild+":"):
		default:
			continue
		}
		m.Watch = displayName(m.Watch)
		out = append(out, m)
	}
	return out
}

func (t *target) wants(ty release.Type, matched map[string]release.Match) bool {
	if len(t.types) > 0 && !t.types[ty] {
		return false
	}
	if len(t.watches) == 0 {
		return true
	}
	for w := range t.watches {
		if _, ok := matched[nsConfig+w]; ok {
			return true
		}
	}
	return false
}

func subscriptionWants(s state.Subscription, ty release.Type, matched map[string]release.Match) bool {
	if len(s.Types) > 0 {
		ok := false
		for _, t := range s.Types {
			if rt, _ := release.ParseType(t); rt == ty {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if s.Watch == "" {
		return true
	}
	_, guildWatch := matched[nsGuild+s.GuildID+":"+s.Watch]
	_, configWatch := matched[nsConfig+s.Watch]
	return guildWatch || configWatch
}

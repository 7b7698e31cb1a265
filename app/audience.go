package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

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

// audience is everyone who may receive alerts right now: the configured
// targets, the channels subscribed from Discord, and members' follows.
type audience struct {
	matcher  *summary.Matcher
	channels []string                        // subscribed channels, in subscription order
	subs     map[string][]state.Subscription // channel → its subscriptions
	follows  []state.Follow
}

// audience loads subscriptions, watches and follows, and rebuilds the
// matcher when the watches changed since the last time.
// lazyAudience reads the audience once, when a check first needs it: a
// check that finds nothing new never reads the subscriptions.
type lazyAudience struct {
	a   *App
	aud *audience
}

func (l *lazyAudience) get(ctx context.Context) (*audience, error) {
	if l.aud == nil {
		aud, err := l.a.audience(ctx)
		if err != nil {
			return nil, err
		}
		l.aud = aud
	}
	return l.aud, nil
}

func (a *App) audience(ctx context.Context) (*audience, error) {
	subs, err := a.store.Subscriptions(ctx, "")
	if err != nil {
		return nil, err
	}
	watches, err := a.store.Watches(ctx, "")
	if err != nil {
		return nil, err
	}
	follows, err := a.store.Follows(ctx)
	if err != nil {
		return nil, err
	}
	aud := &audience{subs: map[string][]state.Subscription{}, follows: follows}
	for _, s := range subs {
		if _, ok := aud.subs[s.ChannelID]; !ok {
			aud.channels = append(aud.channels, s.ChannelID)
		}
		aud.subs[s.ChannelID] = append(aud.subs[s.ChannelID], s)
	}
	ws := a.configWatches()
	for _, w := range watches {
		ws = append(ws, summary.Watch{Name: nsGuild + w.GuildID + ":" + w.Name, Terms: w.Terms, Exclude: w.Exclude, Role: w.Role})
	}
	for _, f := range follows {
		ws = append(ws, summary.Watch{Name: nsUser + f.UserID, Terms: f.Terms})
	}
	key, _ := json.Marshal(ws)
	sum := sha256.Sum256(key)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.matcher == nil || sum != a.matcherKey {
		m, err := summary.NewMatcher(ws)
		if err != nil {
			return nil, fmt.Errorf("watches: %w", err)
		}
		a.matcher, a.matcherKey = m, sum
	}
	aud.matcher = a.matcher
	return aud, nil
}

func (a *App) configWatches() []summary.Watch {
	var ws []summary.Watch
	for _, w := range a.cfg.Watches {
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

// recipientsFor returns the targets that want the alert, each with the
// watch matches that concern it: configured targets see the
// config's watches and ping their roles; a subscribed channel sees those
// and its own server's watches, and pings only its server's roles; a
// follower gets a DM with their own match. For updates, every target that
// got an earlier version gets this one too.
func (a *App) recipientsFor(al release.Alert, earlier []release.Target, aud *audience) []state.Recipient {
	got := map[release.Target]bool{}
	for _, k := range earlier {
		got[k] = true
	}
	matched := map[string]release.Match{}
	for _, m := range al.Matches {
		matched[m.Watch] = m
	}
	var out []state.Recipient
	add := func(key release.Target, ms []release.Match) {
		out = append(out, state.Recipient{Target: key, Matches: ms})
	}
	for _, k := range a.order {
		t := a.targets[k]
		if got[k] || t.wants(al.Type, matched) {
			add(k, a.matchesFor(al.Matches, t.watches, "", true))
		}
	}
	for _, ch := range aud.channels {
		key := release.Target{Kind: release.TargetChannel, ID: ch}
		if _, configured := a.targets[key]; configured {
			continue
		}
		subs := aud.subs[ch]
		guild := subs[0].GuildID
		want := got[key]
		for _, s := range subs {
			want = want || subscriptionWants(s, al.Type, matched)
		}
		if want {
			add(key, a.matchesFor(al.Matches, nil, guild, false))
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
func (a *App) matchesFor(all []release.Match, filter map[string]bool, guild string, configTarget bool) []release.Match {
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

// destination resolves an outbox target to where to send.
func (a *App) destination(key release.Target) (notifier.Target, bool) {
	if t, ok := a.targets[key]; ok {
		return t.dest, true
	}
	switch key.Kind {
	case release.TargetChannel:
		return notifier.Target{Channel: key.ID}, true
	case release.TargetDM:
		return notifier.Target{User: key.ID}, true
	}
	return notifier.Target{}, false
}

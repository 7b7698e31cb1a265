package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/summary"
	"github.com/robfig/cron/v3"
)

var snowflake = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{15,21}$`) })

// CronParser parses schedules: five standard fields or a descriptor such as
// "@every 30s" or "@hourly".
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate checks the whole configuration and reports every problem.
func (c *Config) Validate() error {
	if errs := c.validate(); len(errs) > 0 {
		return joinErrors(errs)
	}
	return nil
}

func (c *Config) validate() []*fieldError {
	var errs []*fieldError
	bad := func(path, format string, args ...any) {
		errs = append(errs, &fieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	// needs is bad for a problem that follows from another key's value.
	needs := func(other, path, format string, args ...any) {
		errs = append(errs, &fieldError{Path: path, Msg: fmt.Sprintf(format, args...), Needs: other})
	}
	if strings.TrimSpace(c.State) == "" {
		bad("state", "must name a SQLite file")
	}
	if err := checkURL(c.Discord.API); err != nil {
		bad("discord.api", "%v", err)
	}
	if c.Discord.OpsChannel != "" {
		if !snowflake().MatchString(c.Discord.OpsChannel) {
			bad("discord.ops_channel", "%q is not a channel id (a number of 15 to 21 digits)", c.Discord.OpsChannel)
		}
		if c.Discord.Token == "" {
			needs("discord.token", "discord.ops_channel", "needs discord.token (a bot token)")
		}
	}
	if c.Discord.OpsWebhook != "" {
		if err := checkWebhook(c.Discord.OpsWebhook); err != nil {
			bad("discord.ops_webhook", "%v", err)
		}
	}
	for i, g := range c.Discord.Guilds {
		if !snowflake().MatchString(g) {
			bad(fmt.Sprintf("discord.guilds[%d]", i), "%q is not a guild id", g)
		}
	}
	if c.Discord.ShardCount < 0 || c.Discord.ShardID < 0 || (c.Discord.ShardCount > 0 && c.Discord.ShardID >= c.Discord.ShardCount) {
		bad("discord.shard_id", "must be from 0 to shard_count-1 (shard_id %d, shard_count %d)", c.Discord.ShardID, c.Discord.ShardCount)
	}
	if c.Discord.AutoShard && c.Discord.ShardCount > 0 {
		bad("discord.auto_shard", "set auto_shard or shard_id/shard_count, not both")
	}
	if len(c.Sources) == 0 {
		bad("sources", "at least one source is needed")
	}
	names := map[string]bool{}
	for i, s := range c.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		checkName(bad, p+".name", names, s.Name, "source")
		if !oneOf(s.Type, release.SourceKinds) {
			bad(p+".type", "%q is not one of %s", s.Type, strings.Join(release.SourceKinds, ", "))
		}
		if err := checkURL(s.URL); err != nil {
			bad(p+".url", "%v", err)
		}
		if err := checkSchedule(s.Schedule); err != nil {
			bad(p+".schedule", "%q: %v", s.Schedule, err)
		}
		if s.Type == release.SourceHTML && (s.Selectors == nil || s.Selectors.Item == "") {
			bad(p+".selectors.item", "is required for an html source")
		}
		if s.Type != release.SourceHTML && s.Selectors != nil {
			bad(p+".selectors", "only html sources take selectors")
		}
		if s.Language != "" && s.Language != "en" && s.Language != "fr" {
			bad(p+".language", "%q: use en or fr", s.Language)
		}
		if s.Type != release.SourceNATO && s.Language != "" {
			bad(p+".language", "only nato sources take a language")
		}
		if s.Type != release.SourceNATO && s.Lookback != 0 {
			bad(p+".lookback", "only nato sources take a lookback")
		}
		if s.Type != release.SourceNATO && s.SitemapEvery != 0 {
			bad(p+".sitemap_every", "only nato sources take a sitemap_every")
		}
		if s.SitemapEvery < 0 {
			bad(p+".sitemap_every", "must not be negative")
		}
	}
	if u := c.HTTP.PublicURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		bad("http.public_url", "%q is not an http(s) URL", u)
	}
	if c.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			bad("http.listen", "%q is not host:port (e.g. 127.0.0.1:9750)", c.HTTP.Listen)
		}
	}
	if c.HTTP.MaxBody < 0 {
		bad("http.max_body", "must be 0 (the default, 8 MiB) or more")
	}
	if c.FirstRun.PostLatest < 0 {
		bad("first_run.post_latest", "must be 0 or more")
	}
	if c.CatchUp.MaxCount < 0 {
		bad("catch_up.max_count", "must be 0 or more")
	}
	watches := map[string]bool{}
	for i, w := range c.Watches {
		p := fmt.Sprintf("watches[%d]", i)
		checkName(bad, p+".name", watches, w.Name, "watch")
		if len(w.Terms) == 0 {
			bad(p+".terms", "at least one term is needed")
		}
		checkTerms(bad, p+".terms", w.Terms)
		checkTerms(bad, p+".exclude", w.Exclude)
		if w.MentionRole != "" && !snowflake().MatchString(w.MentionRole) {
			bad(p+".mention_role", "%q is not a role id (a number of 15 to 21 digits)", w.MentionRole)
		}
	}
	for i, t := range c.Targets {
		p := fmt.Sprintf("targets[%d]", i)
		switch {
		case t.Webhook != "" && t.Channel != "":
			bad(p, "set webhook or channel, not both")
		case t.Webhook != "":
			if err := checkWebhook(t.Webhook); err != nil {
				bad(p+".webhook", "%v", err)
			}
		case t.Channel != "":
			if !snowflake().MatchString(t.Channel) {
				bad(p+".channel", "%q is not a channel id (a number of 15 to 21 digits)", t.Channel)
			}
			if c.Discord.Token == "" {
				needs("discord.token", p+".channel", "channel targets need discord.token (a bot token)")
			}
		default:
			bad(p, "set webhook or channel")
		}
		for j, w := range t.Watches {
			if !watches[w] {
				needs("watches", fmt.Sprintf("%s.watches[%d]", p, j), "no watch is named %q", w)
			}
		}
		for j, ty := range t.Types {
			if _, ok := release.ParseType(ty); !ok {
				bad(fmt.Sprintf("%s.types[%d]", p, j), "%q is not a release type (press release, news, speech, official text)", ty)
			}
		}
	}
	if least := c.Recheck.D() + KeepMargin; c.Recheck >= 0 && c.Delivery.Keep > 0 && c.Delivery.Keep.D() < least {
		needs("recheck", "delivery.keep", "%s is too short: delivered alerts must be kept at least a day longer than recheck (%s), "+
			"so that an update found by a re-check can edit the original message; use %s or more",
			days(c.Delivery.Keep.D()), days(c.Recheck.D()), days(least))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "%q: use text or json", c.Log.Format)
	}
	if !oneOf(c.Log.Level, []string{"debug", "info", "warn", "error"}) {
		bad("log.level", "%q: use debug, info, warn or error", c.Log.Level)
	}
	return errs
}

// MinEvery is the shortest "@every" schedule: the cron library counts in
// whole seconds and would silently turn 0s, -5m or 300ms into every second.
const MinEvery = time.Second

// neverWithin is how far ahead a schedule must fire at least once: a 5-field
// spec such as "0 0 30 2 *" (30 February) parses but never runs.
const neverWithin = 4 * 366 * 24 * time.Hour

// checkSchedule parses a schedule and refuses one that cannot be meant.
func checkSchedule(spec string) error {
	sched, err := CronParser.Parse(spec)
	if err != nil {
		return err
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		d, _ := time.ParseDuration(strings.TrimSpace(rest)) // parsed above
		if d < MinEvery || d%time.Second != 0 {
			return fmt.Errorf("the interval must be whole seconds, %s or more", MinEvery)
		}
		return nil
	}
	now := time.Now()
	if next := sched.Next(now); next.IsZero() || next.Sub(now) > neverWithin {
		return errors.New("never fires (no such date)")
	}
	return nil
}

// checkName takes name among those taken and reports, at path, one that
// is missing or taken already: sources and watches are told apart by name.
func checkName(bad func(path, format string, args ...any), path string, taken map[string]bool, name, what string) {
	switch {
	case name == "":
		bad(path, "is required")
	case taken[name]:
		bad(path, "%q is used by another %s", name, what)
	}
	taken[name] = true
}

// checkTerms reports, at path[j], each term the matcher would refuse.
func checkTerms(bad func(path, format string, args ...any), path string, terms []string) {
	for j, t := range terms {
		if err := summary.CheckTerm(t); err != nil {
			bad(fmt.Sprintf("%s[%d]", path, j), "%v", err)
		}
	}
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// checkWebhook accepts a URL of the form …/webhooks/{id}/{token}; the error
// never repeats the token.
func checkWebhook(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("is not an http(s) URL")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, p := range parts {
		if p == "webhooks" && i+2 < len(parts) && parts[i+1] != "" && parts[i+2] != "" {
			return nil
		}
	}
	return errors.New("is not a webhook URL (…/api/webhooks/{id}/{token})")
}

// days writes a duration in days when it is whole days ("8d"), as Go
// does otherwise ("36h0m0s").
func days(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

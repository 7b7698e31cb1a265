// Package config reads natowatch's YAML configuration: ${VAR} expanded from
// the environment in values, unknown keys rejected, every problem reported
// at once with its key path.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration file.
type Config struct {
	State    string   `yaml:"state"`
	Discord  Discord  `yaml:"discord"`
	HTTP     HTTP     `yaml:"http"`
	Sources  []Source `yaml:"sources"`
	FirstRun FirstRun `yaml:"first_run"`
	CatchUp  CatchUp  `yaml:"catch_up"`
	Recheck  Duration `yaml:"recheck"`
	Watches  []Watch  `yaml:"watches"`
	Targets  []Target `yaml:"targets"`
	Delivery Delivery `yaml:"delivery"`
	Log      Log      `yaml:"log"`
}

// Discord configures the connection to Discord.
type Discord struct {
	Token      string `yaml:"token"`
	API        string `yaml:"api"`
	OpsChannel string `yaml:"ops_channel"` // channel id for operator notices (needs the token)
	OpsWebhook string `yaml:"ops_webhook"` // or a webhook URL for them
	// Guilds, when set, get the slash commands registered per guild (at
	// once, for testing) instead of globally.
	Guilds     []string `yaml:"guilds"`
	ShardID    int      `yaml:"shard_id"`
	ShardCount int      `yaml:"shard_count"`
	// AutoShard: replicas share the shards Discord recommends (GET
	// /gateway/bot), each taking a free one.
	AutoShard bool `yaml:"auto_shard"`
}

// HTTP configures how sources are fetched, and the operator listener.
type HTTP struct {
	Listen      string   `yaml:"listen"` // /metrics and /healthz, e.g. 127.0.0.1:9750; off when empty
	UserAgent   string   `yaml:"user_agent"`
	Timeout     Duration `yaml:"timeout"`
	MaxBody     int64    `yaml:"max_body"`
	PerHostRate float64  `yaml:"per_host_rate"`
	Backoff     Duration `yaml:"backoff"`
	// Token, when set, protects the status page and the feeds (bearer,
	// ?token= or basic auth's password); PublicFeeds leaves the feeds open.
	Token       string `yaml:"token"`
	PublicFeeds bool   `yaml:"public_feeds"`
	PublicURL   string `yaml:"public_url"` // where readers reach the feeds, e.g. behind a proxy
}

// Source is one place releases come from.
type Source struct {
	Name      string     `yaml:"name"`
	Type      string     `yaml:"type"` // one of release.SourceKinds
	URL       string     `yaml:"url"`
	Schedule  string     `yaml:"schedule"`
	Language  string     `yaml:"language"`
	Lookback  Duration   `yaml:"lookback"`
	Selectors *Selectors `yaml:"selectors"`

	// SitemapEvery (nato only): how often, at most, the sitemap is swept.
	SitemapEvery Duration `yaml:"sitemap_every"`
}

// Selectors read an html source's listing.
type Selectors struct {
	Item  string `yaml:"item"`
	Link  string `yaml:"link"`
	Title string `yaml:"title"`
	Date  string `yaml:"date"`
}

// FirstRun says what the first check of a source posts.
type FirstRun struct {
	PostLatest int `yaml:"post_latest"`
}

// CatchUp caps what is posted after downtime.
type CatchUp struct {
	After    Duration `yaml:"after"` // a source unread for this long is catching up
	MaxCount int      `yaml:"max_count"`
	MaxAge   Duration `yaml:"max_age"`
}

// Watch marks alerts that mention any of its terms.
type Watch struct {
	Name        string   `yaml:"name"`
	Terms       []string `yaml:"terms"`
	Exclude     []string `yaml:"exclude"`
	MentionRole string   `yaml:"mention_role"`
}

// Target is a webhook or a channel that receives alerts.
type Target struct {
	Webhook string   `yaml:"webhook"`
	Channel string   `yaml:"channel"`
	Watches []string `yaml:"watches"`
	Types   []string `yaml:"types"`
}

// Delivery tunes the outbox worker.
type Delivery struct {
	GiveUp    Duration `yaml:"give_up"`
	Interval  Duration `yaml:"interval"`
	RetryBase Duration `yaml:"retry_base"` // first retry delay; doubles per attempt up to 10m
	// Keep is how long delivered and given-up alerts are remembered (for
	// the dedupe of a repeated save, the message an update edits, /status);
	// older ones are pruned. At least Recheck + KeepMargin.
	Keep Duration `yaml:"keep"`
}

// KeepMargin is how much longer than the re-check window delivered alerts
// are kept at least: an update found by a re-check edits the message of
// the original alert, which must still be known.
const KeepMargin = 24 * time.Hour

// DefaultMaxBody is http.max_body when it is not set: the most read of a
// page, a feed or a previewed file.
const DefaultMaxBody = 8 << 20

// DefaultKeep is delivery.keep when it is not set (or recheck + KeepMargin
// when that is longer).
const DefaultKeep = 30 * 24 * time.Hour

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Target names a target in the state (a webhook without its secret).
func (t Target) Target() release.Target {
	if t.Channel != "" {
		return release.Target{Kind: release.TargetChannel, ID: t.Channel}
	}
	return release.Target{Kind: release.TargetWebhook, ID: hashKey(t.Webhook)}
}

// Duration is a time.Duration written "90s", "15m", "72h" or "7d".
type Duration time.Duration

// UnmarshalYAML reads a duration. A value that is not one is reported,
// with its key path, by Parse's own walk of the document; here it stays
// zero so that decoding goes on and every other problem is found too.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if d.parse(n.Value) != nil {
		*d = 0
	}
	return nil
}

func (d *Duration) parse(raw string) error {
	s := strings.TrimSpace(raw)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return fmt.Errorf("invalid duration %q", s)
		}
		*d = Duration(time.Duration(days * 24 * float64(time.Hour)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q (use 90s, 15m, 72h or 7d)", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes a duration as Go spells it ("72h0m0s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Default is the configuration used when there is no file: nato.int every
// five minutes into natowatch.db, with no targets.
func Default() *Config {
	c := &Config{
		State: "natowatch.db",
		Sources: []Source{{
			Name: "nato", Type: release.SourceNATO, URL: "https://www.nato.int", Schedule: "*/5 * * * *",
		}},
	}
	c.applyDefaults()
	return c
}

func (c *Config) applyDefaults() {
	if c.State == "" {
		c.State = "natowatch.db"
	}
	if c.Discord.API == "" {
		c.Discord.API = "https://discord.com/api/v10"
	}
	if c.HTTP.MaxBody == 0 {
		c.HTTP.MaxBody = DefaultMaxBody
	}
	if c.CatchUp.After == 0 {
		c.CatchUp.After = Duration(time.Hour)
	}
	if c.CatchUp.MaxCount == 0 {
		c.CatchUp.MaxCount = 20
	}
	if c.CatchUp.MaxAge == 0 {
		c.CatchUp.MaxAge = Duration(72 * time.Hour)
	}
	if c.Recheck == 0 {
		c.Recheck = Duration(7 * 24 * time.Hour)
	}
	if c.Delivery.GiveUp == 0 {
		c.Delivery.GiveUp = Duration(24 * time.Hour)
	}
	if c.Delivery.RetryBase == 0 {
		c.Delivery.RetryBase = Duration(5 * time.Second)
	}
	if c.Delivery.Interval == 0 {
		c.Delivery.Interval = Duration(5 * time.Second)
	}
	if c.Delivery.Keep == 0 {
		c.Delivery.Keep = Duration(max(DefaultKeep, c.Recheck.D()+KeepMargin))
	}
	for i := range c.Sources {
		if c.Sources[i].Schedule == "" {
			c.Sources[i].Schedule = "*/5 * * * *"
		}
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const good = `
state: test.db
discord:
  token: ${DISCORD_TOKEN}
sources:
  - name: nato
    type: nato
    url: https://www.nato.int
    schedule: "@every 30s"
  - name: feed
    type: rss
    url: https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml
first_run:
  post_latest: 2
recheck: 3d
watches:
  - name: korea
    terms: ["North Korea", "DPRK"]
    mention_role: "112233445566778899"
targets:
  - webhook: https://discord.com/api/webhooks/123/abc
  - channel: "223344556677889900"
    watches: [korea]
    types: [press release, speech]
`

func TestParseGood(t *testing.T) {
	c, err := Parse([]byte(good), env(map[string]string{"DISCORD_TOKEN": "tok"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Discord.Token != "tok" || c.Discord.API != "https://discord.com/api/v10" {
		t.Errorf("discord = %+v", c.Discord)
	}
	if c.Recheck.D() != 72*time.Hour || c.Sources[1].Schedule != "*/5 * * * *" || c.FirstRun.PostLatest != 2 {
		t.Errorf("defaults or durations wrong: %+v", c)
	}
	if c.Targets[0].Target() == c.Targets[1].Target() || strings.Contains(c.Targets[0].Target().Key(), "abc") {
		t.Errorf("target keys %q %q", c.Targets[0].Target(), c.Targets[1].Target())
	}
}

func TestParseReportsEveryProblemWithItsPath(t *testing.T) {
	bad := `
state: ""
discord:
  tokn: x
sources:
  - name: nato
    type: natoo
    url: ftp://x
    schedule: "every five minutes"
  - name: nato
    type: html
    url: https://example.org
watches:
  - name: w
    terms: []
    mention_role: "@here"
targets:
  - webhook: https://discord.com/api/webhooks/123/secret-token-here/extra
    channel: "1"
  - channel: "223344556677889900"
    watches: [nope]
    types: [gossip]
  - webhook: https://example.org/not-a-webhook
log:
  format: xml
recheck: 3 days
catch_up:
  max_age: -5d
`
	_, err := Parse([]byte(bad), env(nil))
	if err == nil {
		t.Fatal("a bad config was accepted")
	}
	// Every problem at once, each with its key path.
	msg := err.Error()
	for _, want := range []string{
		"discord.tokn: unknown key", "recheck: invalid duration", "catch_up.max_age: \"-5d\" must not be negative",
		"sources[0].type", "sources[0].url", "sources[0].schedule", "sources[1].name", "sources[1].selectors.item",
		"watches[0].terms", "watches[0].mention_role", "targets[0]: set webhook or channel, not both",
		"targets[1].channel: channel targets need discord.token", "targets[1].watches[0]", "targets[1].types[0]",
		"targets[2].webhook", "log.format",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "secret-token-here") {
		t.Errorf("the error repeats a webhook token:\n%s", msg)
	}
}

func TestDeliveryKeep(t *testing.T) {
	tok := env(map[string]string{"DISCORD_TOKEN": "tok"})
	c, err := Parse([]byte(good), tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Delivery.Keep.D() != DefaultKeep {
		t.Errorf("delivery.keep defaults to %v, want %v", c.Delivery.Keep.D(), DefaultKeep)
	}
	// Unset, it outlasts a long re-check window by the margin.
	c, err = Parse([]byte(strings.Replace(good, "recheck: 3d", "recheck: 120d", 1)), tok)
	if err != nil {
		t.Fatal(err)
	}
	if want := 120*24*time.Hour + KeepMargin; c.Delivery.Keep.D() != want {
		t.Errorf("with recheck 120d, delivery.keep defaults to %v, want %v", c.Delivery.Keep.D(), want)
	}
	for _, ok := range []string{"4d", "30d", "2160h"} {
		c, err := Parse([]byte(good+"delivery:\n  keep: "+ok+"\n"), tok)
		if err != nil {
			t.Errorf("keep %s: %v", ok, err)
		} else if c.Delivery.Keep.D() < c.Recheck.D()+KeepMargin {
			t.Errorf("keep %s read as %v", ok, c.Delivery.Keep.D())
		}
	}
	// Too short: reported with the other problems, saying what would do.
	_, err = Parse([]byte(good+"delivery:\n  keep: 3d\nlog:\n  format: xml\n"), tok)
	if err == nil {
		t.Fatal("delivery.keep shorter than recheck was accepted")
	}
	for _, want := range []string{"delivery.keep: 3d is too short", "recheck (3d)", "use 4d or more", "log.format"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := Parse([]byte(good+"delivery:\n  keep: 80h\n"), tok); err == nil || !strings.Contains(err.Error(), "delivery.keep: 80h0m0s is too short") {
		t.Errorf("keep 80h: %v", err)
	}
	if _, err := Parse([]byte(good+"delivery:\n  keep: -90d\n"), tok); err == nil || !strings.Contains(err.Error(), `delivery.keep: "-90d" must not be negative`) {
		t.Errorf("keep -90d: %v", err)
	}
}

func TestParseEnvAndYAMLErrors(t *testing.T) {
	_, err := Parse([]byte(good), env(nil))
	if err == nil || !strings.Contains(err.Error(), "discord.token: environment variable DISCORD_TOKEN is not set") {
		t.Errorf("missing env: %v", err)
	}
	// A value from the environment is data, never YAML.
	c, err := Parse([]byte(good), env(map[string]string{"DISCORD_TOKEN": "a: b\n- c"}))
	if err != nil || c.Discord.Token != "a: b\n- c" {
		t.Errorf("env value with YAML syntax: %v %q", err, c.Discord.Token)
	}
	for _, in := range []string{"", "sources: [", "sources: 5", "recheck: soon\nsources: []"} {
		if _, err := Parse([]byte(in), env(nil)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("sources:\n  - {name: a, type: rss, url: 'http://x', schedule: '@every 1s'}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b, env(map[string]string{"DISCORD_TOKEN": "t"}))
		if err == nil && c.Validate() != nil {
			t.Fatal("Parse accepted a config that does not validate")
		}
	})
}

// Issue 13, defect 9: schedules that cannot be meant are config errors.
func TestScheduleThatCannotBeRight(t *testing.T) {
	tok := env(map[string]string{"DISCORD_TOKEN": "tok"})
	for _, spec := range []string{"@every 0s", "@every -5m", "@every 300ms", "@every 1.5s", "0 0 30 2 *", "0 0 31 4 *"} {
		in := strings.Replace(good, `"@every 30s"`, `"`+spec+`"`, 1)
		_, err := Parse([]byte(in), tok)
		if err == nil || !strings.Contains(err.Error(), "sources[0].schedule") {
			t.Errorf("%q: %v", spec, err)
		}
	}
	for _, spec := range []string{"@every 1s", "@every 10m", "@hourly", "0 0 29 2 *", "*/5 * * * *"} {
		in := strings.Replace(good, `"@every 30s"`, `"`+spec+`"`, 1)
		if _, err := Parse([]byte(in), tok); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
	}
}

// Issue 13: a wrong type is reported at its key path, and what it (or a
// missing variable) leaves empty is not reported again.
func TestTypeErrorsHavePathsAndNoFollowOns(t *testing.T) {
	in := `
discord:
  token: ${DISCORD_TOKEN}
sources:
  - name: [a, b]
    type: rss
    url: https://example.org/feed
  - nope
http:
  max_body: lots
  per_host_rate: {a: 1}
first_run: 3
targets:
  - webhook: https://discord.com/api/webhooks/123/abc
  - webhook: https://discord.com/api/webhooks/124/abc
  - channel: ${CHAN}
watches:
  - name: 5
    terms: North Korea
`
	_, err := Parse([]byte(in), env(nil))
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"sources[0].name: must be a single value, not a list (line 5)",
		"sources[1]: must be a mapping of keys, not the value \"nope\" (line 8)",
		"http.max_body: \"lots\" is not a whole number (line 10)",
		"http.per_host_rate: must be a single value, not a mapping",
		"first_run: must be a mapping of keys",
		"targets[2].channel: environment variable CHAN is not set",
		"discord.token: environment variable DISCORD_TOKEN is not set",
		"watches[0].terms: must be a list",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	for _, unwanted := range []string{"sources[0].name: is required", "sources[1].name", "sources[1].url", "targets[2]: set webhook or channel",
		"need discord.token", "watches[0].terms: at least one", "cannot unmarshal"} {
		if strings.Contains(msg, unwanted) {
			t.Errorf("follow-on error %q:\n%s", unwanted, msg)
		}
	}
}

func TestEmptyVariableIsNotUnset(t *testing.T) {
	lookup := func(k string) (string, bool) { return "", k == "DISCORD_TOKEN" }
	_, err := ParseLookup([]byte(good), lookup)
	if err == nil || !strings.Contains(err.Error(), "discord.token: environment variable DISCORD_TOKEN is empty") {
		t.Errorf("empty variable: %v", err)
	}
}

func TestConfigSizeIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	big := good + "# " + strings.Repeat("x", MaxSize) + "\n"
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, env(map[string]string{"DISCORD_TOKEN": "t"}))
	if err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") {
		t.Errorf("a config over MaxSize: %v", err)
	}
}

// Issue 13: a relative state is beside the config file, whatever the
// working directory (under cron, $HOME).
func TestRelativeStateIsBesideTheConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "natowatch.yaml")
	tok := env(map[string]string{"DISCORD_TOKEN": "t"})
	for state, want := range map[string]string{
		"test.db":                     filepath.Join(dir, "test.db"),
		"data/x.db":                   filepath.Join(dir, "data", "x.db"),
		"/var/lib/natowatch/x.db":     "/var/lib/natowatch/x.db",
		"postgres://u@db/natowatch":   "postgres://u@db/natowatch",
		"POSTGRESQL://u@db/natowatch": "POSTGRESQL://u@db/natowatch",
		`":memory:"`:                  ":memory:",
	} {
		if err := os.WriteFile(path, []byte(strings.Replace(good, "state: test.db", "state: "+state, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, tok)
		if err != nil {
			t.Errorf("state %s: %v", state, err)
		} else if c.State != want {
			t.Errorf("state %s: %q, want %q", state, c.State, want)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Replace(good, "state: test.db\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path, tok); err != nil || c.State != filepath.Join(dir, "natowatch.db") {
		t.Errorf("default state with a config file: %+v %v", c, err)
	}
	if Default().State != "natowatch.db" {
		t.Errorf("without a config file the state is %q, want natowatch.db in the working directory", Default().State)
	}
}

func TestMaxBody(t *testing.T) {
	tok := env(map[string]string{"DISCORD_TOKEN": "t"})
	if c, err := Parse([]byte(good), tok); err != nil || c.HTTP.MaxBody != DefaultMaxBody {
		t.Errorf("default http.max_body: %v %v", c, err)
	}
	if _, err := Parse([]byte(good+"http:\n  max_body: -1\n"), tok); err == nil || !strings.Contains(err.Error(), "http.max_body") {
		t.Errorf("negative http.max_body: %v", err)
	}
}

// A number from the environment is a number, as it would be written in the
// file; any other value stays text.
func TestVariablesInNumbers(t *testing.T) {
	in := good + "http:\n  max_body: ${MAX}\ndiscord:\n  shard_id: ${SHARD}\n  shard_count: 4\n"
	in = strings.Replace(in, "discord:\n  token: ${DISCORD_TOKEN}\n", "", 1)
	in = strings.Replace(in, "  - channel: \"223344556677889900\"\n    watches: [korea]\n    types: [press release, speech]\n", "", 1)
	c, err := Parse([]byte(in), env(map[string]string{"MAX": "1024", "SHARD": "3"}))
	if err != nil || c.HTTP.MaxBody != 1024 || c.Discord.ShardID != 3 {
		t.Fatalf("numbers from variables: %v %+v", err, c)
	}
	for _, tok := range []string{"123", "true", "null", "~", "a: b"} {
		c, err := Parse([]byte(good), env(map[string]string{"DISCORD_TOKEN": tok}))
		if err != nil || c.Discord.Token != tok {
			t.Errorf("token %q: %v %q", tok, err, c.Discord.Token)
		}
	}
	if _, err := Parse([]byte(in), env(map[string]string{"MAX": "lots", "SHARD": "3"})); err == nil || !strings.Contains(err.Error(), `http.max_body: "lots" is not a whole number`) {
		t.Errorf("a variable that is not a number: %v", err)
	}
}

package notifier

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

func TestEscapeNeutralisesMentionsAndMarkdown(t *testing.T) {
	cases := map[string]string{
		"@everyone look":          "@\u200beveryone look",
		"hi @here":                "hi @\u200bhere",
		"<@&112233445566778899>":  "<@\u200b&112233445566778899>",
		"<@112233445566778899>":   "<@\u200b112233445566778899>",
		"<#112233445566778899>":   "<\u200b#112233445566778899>",
		"**bold** _it_ ~~s~~ `c`": `\*\*bold\*\* \_it\_ \~\~s\~\~ \` + "`c\\`",
		"[link](https://x)":       `\[link\](https://x)`,
		"> quote":                 `\> quote`,
		"# heading":               `\# heading`,
		"a > b":                   "a > b",
		"\uFF20everyone":          "\uFF20\u200beveryone",
		"a||spoiler||":            `a\|\|spoiler\|\|`,
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("short", 10); got != "short" {
		t.Fatalf("got %q", got)
	}
	got := Truncate("one two three four five six", 12)
	if got != "one two…" || utf8.RuneCountInString(got) > 12 {
		t.Fatalf("got %q", got)
	}
	got = Truncate(strings.Repeat("é", 50), 10)
	if utf8.RuneCountInString(got) != 10 || !strings.HasSuffix(got, "…") {
		t.Fatalf("got %q", got)
	}
	if got := Truncate(`aaaa\*bbbb`, 6); strings.HasSuffix(strings.TrimSuffix(got, "…"), `\`) {
		t.Fatalf("dangling escape: %q", got)
	}
}

func bigAlert() release.Alert {
	long := strings.Repeat("NATO Allies agreed to strengthen deterrence and defence @everyone **now** ", 200)
	a := release.Alert{
		Kind: release.KindUpdate, Source: "nato", URL: "https://www.nato.int/x",
		Title: long, Type: release.TypeSpeech, Published: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC),
		Reference: "Press Release (2026) 147",
		Summary:   []string{long, long},
		Changes:   &release.Changes{Added: []string{long, long, long, long, long, long, long, long}, Removed: []string{long}, TitleChanged: long},
	}
	for i := 0; i < 40; i++ {
		a.Quotes = append(a.Quotes, release.Quote{Text: long, Speaker: long})
		a.Matches = append(a.Matches, release.Match{Watch: "w" + strings.Repeat("x", 300), Sentence: long, Start: 0, End: 4, Role: "112233445566778899"})
	}
	return a
}

func TestBuildStaysInsideDiscordLimits(t *testing.T) {
	m := Build(bigAlert())
	if len(m.Embeds) != 1 {
		t.Fatalf("embeds = %d", len(m.Embeds))
	}
	e := m.Embeds[0]
	check := func(what, s string, limit int) {
		if n := utf8.RuneCountInString(s); n > limit {
			t.Errorf("%s: %d runes > %d", what, n, limit)
		}
	}
	check("content", m.Content, LimitContent)
	check("title", e.Title, LimitTitle)
	check("description", e.Description, LimitDescription)
	check("footer", e.Footer.Text, LimitFooter)
	check("author", e.Author.Name, 256)
	if len(e.Fields) > LimitFields {
		t.Errorf("fields = %d", len(e.Fields))
	}
	for _, f := range e.Fields {
		check("field name", f.Name, LimitFieldName)
		check("field value", f.Value, LimitFieldValue)
		if f.Name == "" || f.Value == "" {
			t.Errorf("empty field %+v", f)
		}
	}
	if n := EmbedLen(e); n > LimitEmbedTotal {
		t.Errorf("embed total %d > %d", n, LimitEmbedTotal)
	}
	if strings.Contains(e.Description, "@everyone") {
		t.Error("a mention survived escaping")
	}
}

func TestAllowedMentionsOnlyMatchedRoles(t *testing.T) {
	a := release.Alert{Title: "t", URL: "https://x", Type: release.TypeNews, Summary: []string{"@everyone <@&999999999999999999>"},
		Matches: []release.Match{{Watch: "korea", Sentence: "North Korea tested", Start: 0, End: 11, Role: "112233445566778899"},
			{Watch: "other", Sentence: "x", Start: 0, End: 1}}}
	m := Build(a)
	b, _ := json.Marshal(m)
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	am := raw["allowed_mentions"].(map[string]any)
	if p, ok := am["parse"].([]any); !ok || len(p) != 0 {
		t.Fatalf(`allowed_mentions.parse must be [], got %v`, am["parse"])
	}
	roles, _ := am["roles"].([]any)
	if len(roles) != 1 || roles[0] != "112233445566778899" {
		t.Fatalf("roles = %v", roles)
	}
	if m.Content != "<@&112233445566778899>" {
		t.Fatalf("content = %q", m.Content)
	}
	if !strings.Contains(m.Embeds[0].Fields[0].Value, "**North Korea**") {
		t.Fatalf("matched term not marked: %q", m.Embeds[0].Fields[0].Value)
	}
	// No matches: no content, nothing allowed.
	a.Matches = nil
	m = Build(a)
	if m.Content != "" || len(m.AllowedMentions.Roles) != 0 || m.AllowedMentions.Parse == nil {
		t.Fatalf("unexpected mentions: %+v", m)
	}
}

func TestRedactURL(t *testing.T) {
	got := RedactURL("https://discord.com/api/webhooks/123/s3cr3t-token?wait=true")
	if strings.Contains(got, "s3cr3t") || !strings.Contains(got, "/webhooks/123/REDACTED") {
		t.Fatalf("got %q", got)
	}
}

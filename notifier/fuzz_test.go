package notifier

import (
	"testing"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

func FuzzBuild(f *testing.F) {
	f.Add("NATO @everyone", "Allies **met** <@&1>", "“We stand,” he said", "Mark Rutte", "North Korea fired", 0, 5)
	f.Add("", "", "", "", "", 3, 1)
	f.Fuzz(func(t *testing.T, title, summary, quote, speaker, sentence string, start, end int) {
		a := release.Alert{Title: title, URL: "https://x", Summary: []string{summary}, Quotes: []release.Quote{{Text: quote, Speaker: speaker}},
			Matches: []release.Match{{Watch: "w", Sentence: sentence, Start: start, End: end, Role: "112233445566778899"}}}
		m := Build(a)
		e := m.Embeds[0]
		if runeLen(e.Title) > LimitTitle || runeLen(e.Description) > LimitDescription || EmbedLen(e) > LimitEmbedTotal || runeLen(m.Content) > LimitContent {
			t.Fatal("a limit was exceeded")
		}
		for _, fl := range e.Fields {
			if fl.Name == "" || fl.Value == "" || runeLen(fl.Value) > LimitFieldValue || !utf8.ValidString(fl.Value) {
				t.Fatalf("bad field %+v", fl)
			}
		}
		if m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Fatal("allowed_mentions.parse must be []")
		}
	})
}

package summary

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

var fuzzSeeds = []string{
	"The U.S. and Canada agreed. Mr. Rutte spoke at 9 a.m. on Monday.",
	"“Stop.” he said. \"x.\" ... ?! 1.2.3. No. 5\n\nJ. Stoltenberg: Good evening,",
	"NATO Secretary General Mark Rutte: “We will defend every inch,” he said.\n\nQuestion (Reuters): Why?",
	"“Unclosed quotation that runs on and on, said Hart: “nested ” quotes\" here.",
	"Geoană ß Łódź a\u0301 \xff\xfe NATO’s",
	"“We are ready,” said NATO Spokesperson Allison Hart. “Every Ally can count on us. We will not be moved.”\n\nThank-you so Prime Minister.",
	"The Secretary General said: “All of us will pay a much higher price.\n\nSo we must stay the course.”\n\n“Good morning, everybody,” he said.",
	"Hadley Gamble (CNBC):\n\nWill you? “Yes. No. Maybe,” the Chair said. \"Straight quotes. Open",
	"Mark Rutte, NATO Secretary General\n\nAnd we will defend every inch. But “not today.” So be it.",
}

// checkSummary checks the invariants of a summary.
func checkSummary(t *testing.T, r *release.Release) {
	got := Summarize(r)
	if len(got) > maxSummarySentences {
		t.Fatalf("Summarize returned %d sentences", len(got))
	}
	// Empty only when every sentence is boilerplate, a piece of a
	// quotation, or opens on a connective (And, But, So …).
	if len(got) == 0 && slices.ContainsFunc(bodySentences(r), func(s sent) bool { return !s.boiler && !s.inQuote && !opensOnConnective(s.text) }) {
		t.Fatalf("Summarize returned nothing for %q", r.Body)
	}
	total := len(got) - 1
	for _, s := range got {
		if s == "" {
			t.Fatal("empty summary sentence")
		}
		total += utf8.RuneCountInString(s)
	}
	if total > maxSummaryRunes {
		t.Fatalf("summary of %d runes: %q", total, got)
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Sentences(text)
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if a, b := strip(strings.Join(got, "")), strip(text); a != b {
			t.Fatalf("sentences %q do not hold the text %q", got, text)
		}
		for _, s := range got {
			if s == "" || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
				t.Fatalf("sentence %q is not trimmed and collapsed", s)
			}
		}
		r := &release.Release{Type: release.TypeNews, Body: paragraphs(text)}
		checkSummary(t, r)
		checkHygiene(t, "fuzz", r)
	})
}

func FuzzQuotes(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, text string, speech bool) {
		r := &release.Release{Title: "Speech by NATO Secretary General Mark Rutte at Chatham House", Type: release.TypeNews, Body: paragraphs(text)}
		if speech {
			r.Type = release.TypeSpeech
		}
		got := Quotes(r)
		if len(got) > maxQuotes {
			t.Fatalf("%d quotes", len(got))
		}
		seen := map[string]bool{}
		for _, q := range got {
			if utf8.RuneCountInString(q.Text) > maxQuoteRunes {
				t.Fatalf("quote of %d runes", utf8.RuneCountInString(q.Text))
			}
			if q.Text == "" || strings.ContainsRune(quoteRunes, firstRune(q.Text)) || strings.ContainsRune(quoteRunes, lastRune(q.Text)) {
				t.Fatalf("quote text %q not trimmed", q.Text)
			}
			if q.Speaker != strings.TrimSpace(q.Speaker) {
				t.Fatalf("speaker %q not trimmed", q.Speaker)
			}
			if seen[q.Text] {
				t.Fatalf("duplicate quote %q", q.Text)
			}
			seen[q.Text] = true
		}
		checkSummary(t, r)
		checkHygiene(t, "fuzz", r)
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("NATO|North Korea|Geoana", "Press point\n\nNATO’s partner, NORTH  korea. Geoană met the SENATOR.", "drone")
	f.Add("ß|s|a\u0301", "Straße a\u0301 \xff", "")
	f.Add("U.S.|.", "The U.S.-led coalition.", "coalition")
	f.Fuzz(func(t *testing.T, terms, text, exclude string) {
		var watches []Watch
		all := strings.Split(terms, "|")
		for i, term := range all {
			watches = append(watches, Watch{Name: "w" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Terms: []string{term}})
		}
		watches = append(watches, Watch{Name: "all", Terms: all, Exclude: []string{exclude}})
		m, err := NewMatcher(watches)
		if err != nil {
			return // an empty term; NewMatcher's errors are tested elsewhere
		}
		// The whole-word occurrences the matcher finds are those of a
		// naive search (its patterns: the folded terms, in NewMatcher's
		// order).
		var pats [][]rune
		seen := map[string]bool{}
		for _, term := range append(all, exclude) {
			if key := strings.TrimSpace(string(foldString(term))); !IsRegexTerm(term) && !seen[key] {
				seen[key] = true
				pats = append(pats, []rune(key))
			}
		}
		folded := foldString(text)
		if got, want := sortedHits(second(m.occurrences(folded, nil, nil))), naiveOccurrences(pats, folded); !slices.Equal(got, want) {
			t.Fatalf("occurrences of %q in %q:\n got %v\nwant %v", runesList(pats), string(folded), got, want)
		}
		ps := paragraphs(text)
		title := ""
		if len(ps) > 0 {
			title, ps = ps[0], ps[1:]
		}
		for _, g := range m.Match(&release.Release{Title: title, Body: ps}) {
			if g.Start < 0 || g.End > len(g.Sentence) || g.Start > g.End {
				t.Fatalf("offsets %d:%d outside %q", g.Start, g.End, g.Sentence)
			}
			if IsRegexTerm(g.Term) {
				continue // what a regular expression matched need not fold to it
			}
			got := string(foldString(g.Sentence[g.Start:g.End]))
			want := strings.TrimSpace(string(foldString(g.Term)))
			if got != want {
				t.Fatalf("Sentence[Start:End] = %q folds to %q, want the term %q (%q)", g.Sentence[g.Start:g.End], got, g.Term, want)
			}
		}
	})
}

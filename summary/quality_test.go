package summary

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

// qualityFloor is the share of checks that must hold on the corpus, for
// every kind and in all; no quote may have a wrong speaker.
const qualityFloor = 0.90

// verdict is one check of an alert against what a reader expects.
type verdict struct {
	ok   bool
	what string
}

// judge checks the alert of c (Digest) as QUALITY.md describes: expected
// quotes with their speakers, key points in the summary, no chaff, no
// wrong or unknown speaker, and the hygiene every alert owes (balanced
// quotation marks, no greeting, no stray connective, no cut quotation).
func judge(c *corpusText) (vs []verdict, wrongSpeakers int) {
	r := c.release()
	sum, qs := Digest(r)
	add := func(ok bool, format string, args ...any) {
		vs = append(vs, verdict{ok, fmt.Sprintf(format, args...)})
	}
	for _, q := range c.Expect.Quotes {
		found := slices.ContainsFunc(qs, func(g release.Quote) bool {
			return containsAny(g.Text, q.Text) && speakerIs(g.Speaker, q.Speaker)
		})
		add(found, "quote %q by %s", q.Text, q.Speaker)
	}
	for _, p := range c.Expect.Points {
		add(containsAny(strings.Join(sum, " "), p), "point %q in the summary", p)
	}
	all := append(slices.Clone(sum), quoteTexts(qs)...)
	for _, ch := range c.Expect.Chaff {
		bad := slices.ContainsFunc(all, func(s string) bool { return containsAny(s, ch) })
		add(!bad, "no chaff %q", ch)
	}
	for _, q := range qs {
		ok := q.Speaker != "" && slices.ContainsFunc(c.Expect.Speakers, func(s string) bool { return speakerIs(q.Speaker, s) })
		if !ok {
			wrongSpeakers++
		}
		add(ok, "quote %q credited to %q", q.Text, q.Speaker)
	}
	var sents []string // the body's sentences, labels removed
	for _, s := range bodySentences(r) {
		sents = append(sents, s.text)
	}
	for k, s := range sum {
		add(balanced(s), "summary sentence %q has balanced quotation marks", s)
		add(!opensOnGreeting(s), "summary sentence %q opens on no greeting", s)
		if startsWithConnective(s) {
			i := slices.Index(sents, s)
			ok := k > 0 && i > 0 && sents[i-1] == sum[k-1]
			add(ok, "summary sentence %q opens on a connective after the sentence before it", s)
		}
	}
	for _, q := range qs {
		add(balanced(q.Text), "quote %q has balanced quotation marks", q.Text)
		add(!opensOnGreeting(q.Text), "quote %q opens on no greeting", q.Text)
	}
	return vs, wrongSpeakers
}

func quoteTexts(qs []release.Quote) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Text)
	}
	return out
}

// fold lower-cases s and makes its apostrophes and dashes plain, for
// comparing expectations written by hand with what the alert shows.
func fold(s string) string {
	return strings.ToLower(strings.NewReplacer("’", "'", "‘", "'", "–", "-", "—", "-").Replace(strings.Join(strings.Fields(s), " ")))
}

// containsAny reports whether s holds one of the "|"-separated parts of alts.
func containsAny(s, alts string) bool {
	fs := fold(s)
	for _, a := range strings.Split(alts, "|") {
		if a = fold(a); a != "" && strings.Contains(fs, a) {
			return true
		}
	}
	return false
}

// speakerIs reports whether a speaker shown names one of the "|"-separated
// expected ones: it ends with that one's last word ("Mr Stoltenberg" is
// "Jens Stoltenberg"; "the Secretary General" is not, nor is "NATO
// Secretary General Mark Rutte followed by a Q&A").
func speakerIs(got, alts string) bool {
	gw := words(got)
	for _, a := range strings.Split(alts, "|") {
		if aw := words(a); len(aw) > 0 && len(gw) > 0 && gw[len(gw)-1] == aw[len(aw)-1] {
			return true
		}
	}
	return false
}

// greetings open sentences that greet or thank; written here apart from
// the package's own list, so that the test does not grade itself.
var greetings = []string{"good morning", "good afternoon", "good evening", "hello", "welcome",
	"thank you", "thank-you", "thanks", "many thanks", "ladies and gentlemen", "dear ",
	"excellencies", "it is a great pleasure", "it's a great pleasure", "it is great to be"}

func opensOnGreeting(s string) bool {
	l := strings.TrimLeft(fold(s), "\"“”«„ ")
	for _, g := range greetings {
		if strings.HasPrefix(l, g) {
			return true
		}
	}
	return false
}

func startsWithConnective(s string) bool {
	w := words(s)
	return len(w) > 0 && (w[0] == "and" || w[0] == "but" || w[0] == "so" || w[0] == "or")
}

// TestQuality scores the alerts of the real texts of testdata/corpus and
// prints the score of each kind (go test -run Quality -v ./summary/).
func TestQuality(t *testing.T) {
	type score struct{ ok, n, wrong int }
	byKind := map[string]*score{}
	total := &score{}
	var failures []string
	for _, c := range corpusTexts(t) {
		vs, wrong := judge(&c)
		s := byKind[c.Kind]
		if s == nil {
			s = &score{}
			byKind[c.Kind] = s
		}
		for _, v := range vs {
			s.n++
			total.n++
			if v.ok {
				s.ok++
				total.ok++
			} else {
				failures = append(failures, c.Name+": "+v.what)
			}
		}
		s.wrong += wrong
		total.wrong += wrong
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "%-18s %6s %7s %6s\n", "kind", "checks", "score", "wrong")
	for _, k := range append(kinds, "all") {
		s := total
		if k != "all" {
			s = byKind[k]
		}
		fmt.Fprintf(&b, "%-18s %6d %6.1f%% %6d\n", k, s.n, 100*float64(s.ok)/float64(s.n), s.wrong)
	}
	t.Logf("quality on %d checks:\n%s", total.n, b.String())
	if testing.Verbose() {
		for _, f := range failures {
			t.Log("fails: " + f)
		}
	}
	for _, k := range append(kinds, "all") {
		s := total
		if k != "all" {
			s = byKind[k]
		}
		if float64(s.ok) < qualityFloor*float64(s.n) {
			t.Errorf("%s: %d of %d checks hold, below the floor of %.0f%%", k, s.ok, s.n, 100*qualityFloor)
		}
	}
	if total.wrong > 0 {
		t.Errorf("%d quotes with a wrong or unknown speaker", total.wrong)
	}
}

package summary

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

// testReleases are the releases of testdata/releases.json (a snapshot of
// the scraper's golden extractions) and the sample press point.
func testReleases(t testing.TB) []*release.Release {
	t.Helper()
	b, err := os.ReadFile("testdata/releases.json")
	if err != nil {
		t.Fatal(err)
	}
	var rs []struct {
		Title    string
		Type     release.Type
		Speakers []string
		Body     []string
	}
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	var out []*release.Release
	for _, r := range rs {
		out = append(out, &release.Release{Title: r.Title, Type: r.Type, Speakers: r.Speakers, Body: r.Body})
	}
	return append(out, loadSample(t))
}

// genCorpus makes n releases as a site would publish them: a title, type
// and speakers of a known release and 4 to 24 paragraphs drawn from all of
// them. With mutate, one release in two is also damaged in small ways that
// reach the corners of the splitter, the ranker and the quote finder
// (case, diacritics, quotation marks, labels, cut and joined paragraphs,
// repeated sentences). The same arguments make the same releases.
func genCorpus(t testing.TB, n int, seed uint64, mutate bool) []*release.Release {
	base := testReleases(t)
	var pool []string
	for _, r := range base {
		pool = append(pool, r.Body...)
	}
	out := make([]*release.Release, n)
	for i := range out {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		b := base[rng.IntN(len(base))]
		r := &release.Release{Title: b.Title, Type: b.Type, Speakers: b.Speakers}
		if rng.IntN(4) == 0 {
			r.Speakers = nil
		}
		for range 4 + rng.IntN(21) {
			r.Body = append(r.Body, pool[rng.IntN(len(pool))])
		}
		if mutate && rng.IntN(2) == 0 {
			mutateRelease(rng, r)
		}
		out[i] = r
	}
	return out
}

// mutations are small edits of a paragraph.
var mutations = []func(rng *rand.Rand, p string) string{
	func(rng *rand.Rand, p string) string { return strings.ToUpper(p) },
	func(rng *rand.Rand, p string) string { return strings.ToLower(p) },
	func(rng *rand.Rand, p string) string { // diacritics and ligatures
		r := strings.NewReplacer("a", "ă", "s", "ș", "e", "é", "o", "ö", "ss", "ß", "ae", "æ", "t", "ț")
		return r.Replace(p)
	},
	func(rng *rand.Rand, p string) string { // combining marks
		return strings.NewReplacer("a", "a\u0306", "i", "i\u0301").Replace(p)
	},
	func(rng *rand.Rand, p string) string { // quoted, attributed
		verbs := []string{"said", "added", "he said", "she stressed", "NATO Secretary General Mark Rutte said", "told reporters"}
		return "“" + strings.TrimRight(p, ".") + ",” " + verbs[rng.IntN(len(verbs))] + "."
	},
	func(rng *rand.Rand, p string) string { // introduced quotation
		return "The Secretary General said: \"" + p + "\""
	},
	func(rng *rand.Rand, p string) string { // a label
		labels := []string{"Q:", "Moderator:", "NATO Secretary General Mark Rutte:", "Oana Lungescu (NATO Spokesperson):", "A:", "Jens Stoltenberg:"}
		return labels[rng.IntN(len(labels))] + " " + p
	},
	func(rng *rand.Rand, p string) string { // cut at a random byte
		if len(p) < 2 {
			return p
		}
		return strings.ToValidUTF8(p[:rng.IntN(len(p))], "")
	},
	func(rng *rand.Rand, p string) string { // repeated
		return p + " " + p
	},
	func(rng *rand.Rand, p string) string { // odd white space
		return strings.NewReplacer(". ", ".\n", ", ", ",\t  ", " the ", " the\u00a0").Replace(p)
	},
	func(rng *rand.Rand, p string) string { // boilerplate
		starts := []string{"Thank you. ", "Good morning. ", "With that, I am happy to take your questions. ", "Ladies and gentlemen, "}
		return starts[rng.IntN(len(starts))] + p
	},
	func(rng *rand.Rand, p string) string { // a question
		return strings.TrimRight(p, ".") + "?"
	},
	func(rng *rand.Rand, p string) string { // abbreviations
		return strings.NewReplacer("NATO", "N.A.T.O.", "Mr ", "Mr. ", " 5", " No. 5").Replace(p)
	},
}

func mutateRelease(rng *rand.Rand, r *release.Release) {
	body := append([]string(nil), r.Body...)
	for k := 1 + rng.IntN(4); k > 0; k-- {
		i := rng.IntN(len(body))
		switch rng.IntN(8) {
		case 0: // join with the next
			if i+1 < len(body) {
				body[i] += " " + body[i+1]
				body = append(body[:i+1], body[i+2:]...)
			}
		case 1: // an empty or blank paragraph
			body = append(body[:i], append([]string{[]string{"", "  ", "\n"}[rng.IntN(3)]}, body[i:]...)...)
		default:
			body[i] = mutations[rng.IntN(len(mutations))](rng, body[i])
		}
	}
	r.Body = body
	switch rng.IntN(6) {
	case 0:
		r.Type = release.TypeSpeech
	case 1:
		r.Type = release.TypeNews
	case 2:
		r.Title = ""
	case 3:
		r.Title = mutations[rng.IntN(3)](rng, r.Title)
	}
}

// BenchmarkDigest is Digest over typical releases (genCorpus's, not
// mutated), one after another.
func BenchmarkDigest(b *testing.B) {
	rs := genCorpus(b, 200, 1, false)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Digest(rs[i%len(rs)])
		i++
	}
}

// BenchmarkDigestSample is Digest of the sample press point.
func BenchmarkDigestSample(b *testing.B) {
	r := loadSample(b)
	b.ReportAllocs()
	for b.Loop() {
		Digest(r)
	}
}

// BenchmarkSummarizeCorpus is Summarize over typical releases.
func BenchmarkSummarizeCorpus(b *testing.B) {
	rs := genCorpus(b, 200, 1, false)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Summarize(rs[i%len(rs)])
		i++
	}
}

// corpusText is one real NATO text of testdata/corpus: the release as the
// scraper would hand it over, where it comes from, and what a reader
// expects of its alert (quality_test.go).
type corpusText struct {
	Name   string `json:"-"`
	URL    string `json:"url"`
	Kind   string `json:"kind"` // news, statement, press-release, speech, press-conference, doorstep, discussion
	Type   release.Type
	Title  string   `json:"title"`
	Byline string   `json:"byline"`
	Note   string   `json:"note"` // what was cut, and why
	Body   []string `json:"body"`
	Expect struct {
		// Speakers may be credited with key quotes ("|" separates
		// spellings); none listed: no key quote at all.
		Speakers []string `json:"speakers"`
		// Quotes must be among the key quotes: a part of the text
		// ("|": any of them) and its speaker.
		Quotes []struct{ Speaker, Text string } `json:"quotes"`
		// Points must be in the summary ("|": any of them).
		Points []string `json:"points"`
		// Chaff must be in neither the summary nor the quotes.
		Chaff []string `json:"chaff"`
	} `json:"expect"`
}

// corpusTexts reads testdata/corpus.
func corpusTexts(t testing.TB) []corpusText {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus texts: %v", err)
	}
	var out []corpusText
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c corpusText
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c.Name = strings.TrimSuffix(filepath.Base(f), ".json")
		out = append(out, c)
	}
	return out
}

// release is the text as the scraper hands it over: Speakers are its
// turn labels, as the scraper's turnSpeakers collects them.
func (c *corpusText) release() *release.Release {
	r := &release.Release{URL: c.URL, Title: c.Title, Type: c.Type, Byline: c.Byline, Body: c.Body}
	for _, p := range c.Body {
		if lbl, _, ok := splitLabel(strings.TrimSpace(p)); ok && len(strings.Fields(lbl)) >= 2 && !slices.Contains(r.Speakers, lbl) {
			if w := words(lbl); len(w) > 0 && w[0] != "question" && w[0] != "moderator" && w[0] != "q" {
				r.Speakers = append(r.Speakers, lbl)
			}
		}
	}
	return r
}

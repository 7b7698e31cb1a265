package summary

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// wordsByNext is words(s) as nextWordAt reads them, checking that a word
// said to be plain is the text as it stands.
func wordsByNext(t *testing.T, s string) []string {
	var out []string
	var buf []byte
	for i := 0; ; {
		var w []byte
		var at int
		if w, at, i = nextWordAt(s, i, buf); i < 0 {
			break
		}
		if at >= 0 && s[at:at+len(w)] != string(w) {
			t.Fatalf("%q: word %q is said to be %q at %d", s, w, s[at:at+len(w)], at)
		}
		out = append(out, string(w))
		buf = w
	}
	return out
}

// TestNextWord checks that nextWord reads the words that words does.
func TestNextWord(t *testing.T) {
	texts := append([]string{"", " ", "a", "A", "a\u0301", "\u0301a", "ĳ ß Æ", "x’y", "K\u212a", "\xff", "ab\xffcd", "e\u0301te\u0301"}, fuzzSeeds...)
	for _, r := range genCorpus(t, 200, 5, true) {
		texts = append(texts, r.Title)
		texts = append(texts, r.Body...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09 .,’'-\u0301\u00a0ăȘßĳ\tİ\u212a\ufffd")
	for range 2000 {
		var b strings.Builder
		for k := rng.IntN(12); k > 0; k-- {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		if got, want := wordsByNext(t, s), words(s); !slices.Equal(got, want) {
			t.Errorf("%q: nextWord reads %q, words %q", s, got, want)
		}
	}
}

func FuzzNextWord(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := wordsByNext(t, s), words(s); !slices.Equal(got, want) {
			t.Fatalf("%q: nextWord reads %q, words %q", s, got, want)
		}
	})
}

// TestSplitter checks the splitter against Sentences and wordCount.
func TestSplitter(t *testing.T) {
	texts := append([]string{"", "a  b", "a\tb. C d", "x\u00a0y. Z", "“Hi,” he said.\n\nNext  one."}, fuzzSeeds...)
	for _, r := range genCorpus(t, 300, 6, true) {
		texts = append(texts, r.Title, r.Text())
		texts = append(texts, r.Body...)
	}
	var sp splitter
	for _, s := range texts {
		got := sp.sentences(nil, s)
		want := Sentences(s)
		if len(got) != len(want) {
			t.Fatalf("%q: splitter has %d sentences, Sentences %d", s, len(got), len(want))
		}
		for i, g := range got {
			if g.text != want[i] || g.words != wordCount(want[i]) {
				t.Errorf("%q: sentence %d is %q with %d words, want %q with %d", s, i, g.text, g.words, want[i], wordCount(want[i]))
			}
		}
	}
}

// TestAppendFolded checks the folding without offsets against folded.
func TestAppendFolded(t *testing.T) {
	texts := append([]string{"", " a ", "A\u0301B", "\u0301x", "a \t b", "x\u00a0\u2003y", "ß ĳ Æ’", "\xffA"}, fuzzSeeds...)
	for _, r := range genCorpus(t, 200, 8, true) {
		texts = append(texts, r.Title)
		texts = append(texts, r.Body...)
	}
	for _, s := range texts {
		var f folded
		f.fold(s)
		if got := appendFolded(nil, s); !slices.Equal(got, f.runes) {
			t.Errorf("%q: appendFolded %q, fold %q", s, string(got), string(f.runes))
		}
		for _, p := range paragraphs(s) {
			eachSentence(p, func(ws []span) {
				var f folded
				f.foldWords(p, ws)
				if got := appendFoldedWords(nil, p, ws); !slices.Equal(got, f.runes) {
					t.Errorf("%q: appendFoldedWords %q, foldWords %q", p, string(got), string(f.runes))
				}
			})
		}
	}
}

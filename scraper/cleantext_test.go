package scraper

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// cleanPieces are what random texts for the clean helpers are made of: the
// separators whole and cut, runes that fold to ASCII letters, invalid
// bytes.
var cleanPieces = []string{" ", "  ", "words of eight letters", "abcdefg ", " abcdefgh", "\x1f", "\x7f", "~!", "\t", "\n", "\r", "\f", "\v", "\u00a0", "\u200b", "\u2009", "\u0085", "\xc2", "\xa0",
	"\xe2", "\xe2\x80", "\x80\x8b", "\xff", "a", "word", "Press Release (", "Press", " Release (2026) 12-EN", "Distributed",
	"by", "Public", "D", "ſ", "K", "“quoted”", ",", ".", "é", "\x00", "P"}

func randomText(rng *rand.Rand) string {
	var b strings.Builder
	n := rng.IntN(12)
	if rng.IntN(4) == 0 {
		n = rng.IntN(80) // long enough for runEnd's eight bytes at a time
	}
	for range n {
		b.WriteString(cleanPieces[rng.IntN(len(cleanPieces))])
	}
	return b.String()
}

func TestCleanHelpers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range sized(50000) {
		s := randomText(rng)
		want := clean(s)
		if got := string(cleanInPlace([]byte(s))); got != want {
			t.Fatalf("cleanInPlace(%q) = %q, want %q", s, got, want)
		}
		if got := isBlank(s); got != (strings.TrimSpace(s) == "") {
			t.Fatalf("isBlank(%q) = %v", s, got)
		}
	}
}

func FuzzCleanHelpers(f *testing.F) {
	for _, p := range cleanPieces {
		f.Add(p + " x " + p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := clean(s)
		if got := string(cleanInPlace([]byte(s))); got != want {
			t.Fatalf("cleanInPlace(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestBodyMarks checks bodyMarks against the reference's two walks, on
// texts split into text nodes at random.
func TestBodyMarks(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range sized(30000) {
		body := &html.Node{Type: html.ElementNode, Data: "body"}
		parent := body
		for range rng.IntN(8) {
			switch rng.IntN(4) {
			case 0:
				el := &html.Node{Type: html.ElementNode, Data: "b"}
				parent.AppendChild(el)
				parent = el
			case 1:
				parent.AppendChild(&html.Node{Type: html.CommentNode, Data: "Press Release ("})
			default:
				parent.AppendChild(&html.Node{Type: html.TextNode, Data: randomText(rng)})
			}
		}
		nodes := []*html.Node{body}
		ref, public := bodyMarks(nodes)
		wantRef := refTextContains(nodes, "Press Release (")
		wantPublic := bytes.Contains(refStripped(nil, nodes), []byte("DistributedbyPublic"))
		if ref != wantRef || public != wantPublic {
			var b strings.Builder
			html.Render(&b, body)
			t.Fatalf("bodyMarks(%q) = %v, %v; want %v, %v", b.String(), ref, public, wantRef, wantPublic)
		}
	}
}

// TestFoldPrefixed checks that each prefix list lets through every text its
// expression matches.
func TestFoldPrefixed(t *testing.T) {
	cases := []struct {
		re     *regexp.Regexp
		starts *prefixes
	}{
		{boilerplate, boilerplateStarts},
		{leadIn, leadInStarts},
		{speechTitle, speechStarts},
		{questionLabel, questionStarts},
		{notSpeaker, notSpeakerStarts},
	}
	words := []string{"press", "release", "(2026)", "12", "(as", "delivered)", "prepared", "for", "delivery)", "last",
		"updated:", "point", "conference", "speech", "news", "official", "text", "by", "NATO", "the", "Mark", "Rutte",
		"opening", "closing", "keynote", "introductory", "remarks", "statement", "doorstep", "joint", "interview",
		"transcript", "video", "message", "address", "lecture", "pre-ministerial", "question", "q", "moderator", "answer",
		"a", "journalist", "audience", "note", "editor", "related", "share", "more", "read", "ſpeech", "ſhare", "Kx", "x",
		"this", "page", "article", "share:", "print", "e-mail", "email", "back", "to", "top", "content", "news", "articles",
		"follow", "us", "©", "copyright", "tags:", "tag:", "see", "also:", "download", "(pdf)", "(as", "updated"}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range cases {
		matched := 0
		for range sized(50000) {
			var b strings.Builder
			for i := range 1 + rng.IntN(4) {
				if i > 0 {
					b.WriteString(" ")
				}
				w := words[rng.IntN(len(words))]
				switch rng.IntN(4) {
				case 0:
					w = strings.ToUpper(w)
				case 1:
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
			}
			s := b.String()
			if c.re.MatchString(s) {
				matched++
				if !foldPrefixed(s, c.starts) {
					t.Fatalf("%v matches %q, which foldPrefixed lets not through", c.re, s)
				}
			}
		}
		if matched == 0 {
			t.Errorf("%v: no text matched", c.re)
		}
	}
}

// TestSpeakerLabels checks isSpeakerLabel and nextField against the
// reference's strings.Fields forms.
func TestSpeakerLabels(t *testing.T) {
	words := []string{"NATO", "Secretary", "General", "Mark", "Rutte", "of", "the", "[NATO", "Spokesperson]", "(Reuters)",
		"Question", "q", "Q.", "Mr.", "Dr.", "van", "der", "Share", "ſpeech", "Moderator", "É", "é", "a", "A", "\u00a0", "\u0085",
		"\u2009", "\xff", "x?", "(", ")", "[", "]", "Press", "Release", "More", "read", "Read"}
	seps := []string{" ", "  ", "\t", "\u00a0", "\u0085", "\u2003", "\n"}
	rng := rand.New(rand.NewPCG(9, 10))
	for range sized(30000) {
		var b strings.Builder
		for i := range rng.IntN(15) {
			if i > 0 || rng.IntN(4) == 0 {
				b.WriteString(seps[rng.IntN(len(seps))])
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		s := b.String()
		if got, want := isSpeakerLabel(s), refIsSpeakerLabel(s); got != want {
			t.Fatalf("isSpeakerLabel(%q) = %v, want %v", s, got, want)
		}
		var fields []string
		for rest := s; ; {
			var w string
			if w, rest = nextField(rest); w == "" {
				break
			}
			fields = append(fields, w)
		}
		if want := strings.Fields(s); strings.Join(fields, "|") != strings.Join(want, "|") || len(fields) != len(want) {
			t.Fatalf("fields of %q: %q, want %q", s, fields, want)
		}
	}
}

func TestContainsFoldASCII(t *testing.T) {
	pieces := []string{"<", "<h", "<html", "<HTML", "<Html", "</html", "</HTML>", "</", "html", "<ht", "x", " ", "<<", "\xff", "é", "<htm"}
	rng := rand.New(rand.NewPCG(15, 16))
	for range sized(30000) {
		var b []byte
		for range rng.IntN(10) {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		for _, needle := range []string{"<html", "</html"} {
			want := bytes.Contains(bytes.ToLower(b), []byte(needle))
			for _, fromEnd := range []bool{false, true} {
				if got := containsFoldASCII(b, needle, fromEnd); got != want {
					t.Fatalf("containsFoldASCII(%q, %q, %v) = %v", b, needle, fromEnd, got)
				}
			}
		}
	}
}

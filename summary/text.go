package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// words returns the folded words of s: runs of letters and digits, lower
// case, diacritics removed. Apostrophes and hyphens separate words.
func words(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		a, c, n := foldRune(r)
		if n == 0 {
			continue
		}
		if !isWordRune(a) {
			flush()
			continue
		}
		b.WriteRune(a)
		if n == 2 {
			b.WriteRune(c)
		}
	}
	flush()
	return out
}

// wordCount counts the whitespace-separated words of s that hold a letter
// or digit.
func wordCount(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, isWordRune) >= 0 {
			n++
		}
	}
	return n
}

// terms returns the content words of s for ranking: stop words and one-rune
// words dropped, the rest lightly stemmed.
func terms(s string) []string {
	ws := words(s)
	out := ws[:0]
	for _, w := range ws {
		if len(w) < 2 || stopWords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem strips common English inflections: plural -s/-es/-ies, -ing, -ed and
// a final -e, keeping at least four letters of stem. It is deliberately
// light: it only needs to bring "threat"/"threats", "agree"/"agreed" and
// "sanction"/"sanctions" together.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	}
	switch {
	case strings.HasSuffix(w, "ing") && len(w) >= 7:
		w = w[:len(w)-3]
	case strings.HasSuffix(w, "ed") && len(w) >= 6:
		w = w[:len(w)-2]
	}
	if strings.HasSuffix(w, "e") && len(w) >= 5 {
		w = w[:len(w)-1]
	}
	return w
}

// normalizeApostrophes makes typographic apostrophes ASCII, for phrase tests.
var apostrophes = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'")

// lowerPlain lower-cases s, folds apostrophes and trims surrounding
// punctuation and space, for comparing a sentence with boilerplate phrases.
func lowerPlain(s string) string {
	s = strings.ToLower(apostrophes.Replace(s))
	return strings.TrimFunc(s, func(r rune) bool { return !isWordRune(r) })
}

// boilerplatePrefixes start sentences that greet, thank or hand over.
var boilerplatePrefixes = []string{
	"good morning", "good afternoon", "good evening", "good day", "good night",
	"hello", "hi everyone", "welcome", "dear ", "ladies and gentlemen",
	"excellencies", "your excellenc", "distinguished guests", "dear friends",
	"thank you", "thanks,", "thanks again", "thanks very", "thanks so much",
	"thanks a lot", "many thanks", "so thank you", "and thank you",
	"once again, thank", "again, thank",
	"with that,", "and with that", "so with that", "and with this", "with this, i",
	"it is a great pleasure", "it's a great pleasure", "it is a pleasure",
	"it's a pleasure", "it is great to be", "it's great to be",
	"it is good to be", "it's good to be", "i am delighted to be", "i'm delighted to be",
	"i am pleased to be", "i'm pleased to be", "i am very pleased to be",
	"i'd like to begin by thanking", "i would like to begin by thanking",
	"i'd like to start by thanking", "i would like to start by thanking",
	"i'd like to thank", "i would like to thank", "let me begin by thanking",
	"let me start by thanking", "let me thank", "let me first thank",
	"i want to thank", "first of all, thank", "first, thank",
	"over to you", "the floor is yours", "moderator:", "moderator (",
	"question:", "question (", "questions:", "q:", "q (", "q.",
}

// boilerplateParts anywhere in a sentence mark it as a hand-over to Q&A.
var boilerplateParts = []string{
	"take your questions", "take some questions", "take a few questions",
	"ready for your questions", "happy to answer", "look forward to your questions",
	"questions from the floor",
}

// isBoilerplate reports whether a sentence is a greeting, thanks, a hand-over
// to questions, or a bare speaker label.
func isBoilerplate(s string) bool {
	l := lowerPlain(s)
	if l == "" || l == "thanks" {
		return true
	}
	for _, p := range boilerplatePrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	for _, p := range boilerplateParts {
		if strings.Contains(l, p) {
			return true
		}
	}
	if lbl, rest, ok := splitLabel(s); ok && rest == "" && lbl != "" {
		return true
	}
	return false
}

// fragmentStarts begin sentences that are not full sentences in speeches
// ("Which require global responses.", "Including by leading ...").
var fragmentStarts = setOf("which", "including", "whereas", "such", "like", "literally", "especially", "notably", "particularly")

// notGerunds are words ending in -ing that may well start a full sentence.
var notGerunds = setOf("during", "nothing", "something", "everything", "anything", "notwithstanding", "king", "bring", "thing", "morning", "evening", "spring", "beijing", "concerning")

// isFragment reports whether a sentence looks like a fragment cut off a
// longer one: it starts with a relative or participle ("Forcing our
// members ...") or does not end as a sentence ends (a colon introduces what
// follows and is not a sentence end either).
func isFragment(s string) bool {
	ws := words(s)
	if len(ws) == 0 {
		return true
	}
	first := ws[0]
	if fragmentStarts[first] || (len(ws) > 1 && first == "as" && ws[1] == "well") {
		return true
	}
	if strings.HasSuffix(first, "ing") && len(first) > 5 && !notGerunds[first] {
		r := firstRune(s)
		return unicode.IsUpper(r) || !unicode.IsLetter(r)
	}
	core, _ := trimClosers(s)
	last, _ := utf8.DecodeLastRuneInString(core)
	return last != '.' && last != '!' && last != '?' && last != '…'
}

// truncate returns s unchanged when it has at most max runes, else its
// longest prefix that ends on a word boundary and fits with "…" appended.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	cut := 0
	for n := 0; n < max-1; n++ {
		_, w := utf8.DecodeRuneInString(s[cut:])
		cut += w
	}
	head := s[:cut]
	if next, _ := utf8.DecodeRuneInString(s[cut:]); !unicode.IsSpace(next) {
		if i := strings.LastIndexFunc(head, unicode.IsSpace); i > 0 {
			head = head[:i]
		}
	}
	trimmed := strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—([{\"“‘'", r)
	})
	if trimmed != "" {
		head = trimmed
	}
	return head + "…"
}

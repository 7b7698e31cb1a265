package summary

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// words returns the folded words of s: runs of letters and digits, lower
// case, diacritics removed. Apostrophes and hyphens separate words.
func words(s string) []string { return appendWords(nil, s, -1) }

// appendWords appends the folded words of s to out, at most max of them
// (max < 0: all). A word that is its own folded form (lower-case ASCII
// letters and digits) is a substring of s, not a copy.
func appendWords(out []string, s string, max int) []string {
	var buf []byte // the folded word, once it differs from s[start:i]
	start := -1    // where the current word starts in s; -1 between words
	plain := true  // the current word is s[start:i] as it is
	found := 0
	for i := 0; i <= len(s); {
		var c byte = ' ' // past the end: a word ends
		if i < len(s) {
			c = s[i]
		}
		end := false // the current word ends before i
		w := 1
		switch {
		case c >= utf8.RuneSelf:
			r, rw := utf8.DecodeRuneInString(s[i:])
			w = rw
			a, b, n := foldRune(r)
			switch {
			case n == 0: // a combining mark: dropped, the word goes on
				if start >= 0 && plain {
					buf, plain = append(buf[:0], s[start:i]...), false
				}
			case !isWordRune(a):
				end = true
			default:
				if start < 0 {
					start, plain = i, true
				}
				if plain {
					buf, plain = append(buf[:0], s[start:i]...), false
				}
				buf = utf8.AppendRune(buf, a)
				if n == 2 {
					buf = utf8.AppendRune(buf, b)
				}
			}
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			if start < 0 {
				start, plain = i, true
			}
			if !plain {
				buf = append(buf, c)
			}
		case 'A' <= c && c <= 'Z':
			if start < 0 {
				start, plain = i, true
			}
			if plain {
				buf, plain = append(buf[:0], s[start:i]...), false
			}
			buf = append(buf, c+'a'-'A')
		default:
			end = true
		}
		if end && start >= 0 {
			if plain {
				out = append(out, s[start:i])
			} else {
				out = append(out, string(buf))
			}
			start = -1
			if found++; max >= 0 && found >= max {
				return out
			}
		}
		i += w
	}
	return out
}

// nextWord finds the next folded word of s from byte i on, as appendWords
// finds them: it returns the word folded into buf[:0] and where the search
// for the one after it starts, or next < 0 when there is none.
func nextWord(s string, i int, buf []byte) (word []byte, next int) {
	word, _, next = nextWordAt(s, i, buf)
	return word, next
}

// nextWordAt is nextWord, and tells where the word starts in s when it is
// s[at:at+len(word)] as it stands (at < 0: it is not).
func nextWordAt(s string, i int, buf []byte) (word []byte, at, next int) {
	buf = buf[:0]
	start := -1   // where the word starts, -1 until it does
	plain := true // the word is s[start:i]
	for ; i <= len(s); i++ {
		var c byte = ' ' // past the end: a word ends
		if i < len(s) {
			c = s[i]
		}
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			if start < 0 {
				start = i
			}
			buf = append(buf, c)
		case 'A' <= c && c <= 'Z':
			if start < 0 {
				start = i
			}
			buf, plain = append(buf, c+'a'-'A'), false
		case c >= utf8.RuneSelf:
			r, rw := utf8.DecodeRuneInString(s[i:])
			a, b, n := foldRune(r)
			switch {
			case n == 0: // a combining mark: dropped, the word goes on
				if start >= 0 {
					plain = false
				}
			case !isWordRune(a):
				if start >= 0 {
					return buf, plainAt(start, plain), i + rw
				}
			default:
				if start < 0 {
					start = i
				}
				buf, plain = utf8.AppendRune(buf, a), false
				if n == 2 {
					buf = utf8.AppendRune(buf, b)
				}
			}
			i += rw - 1
		default:
			if start >= 0 {
				return buf, plainAt(start, plain), i + 1
			}
		}
	}
	return buf, -1, -1
}

func plainAt(start int, plain bool) int {
	if plain {
		return start
	}
	return -1
}

// wordCount counts the whitespace-separated words of s that hold a letter
// or digit.
func wordCount(s string) int {
	n := 0
	inField, counted := false, false
	for _, r := range s {
		if r < utf8.RuneSelf && asciiSpace[r] || r >= utf8.RuneSelf && unicode.IsSpace(r) {
			inField = false
			continue
		}
		if !inField {
			inField, counted = true, false
		}
		if !counted && isWordRune(r) {
			counted = true
			n++
		}
	}
	return n
}

// asciiSpace is unicode.IsSpace for ASCII.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

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
	if strings.IndexByte(s, 0xE2) >= 0 || strings.IndexByte(s, 0xCA) >= 0 {
		// The apostrophes' first bytes: only then is there one to fold.
		s = apostrophes.Replace(s)
	}
	s = strings.ToLower(s)
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

// prefixesByByte is boilerplatePrefixes by their first byte.
var prefixesByByte = func() (m [256][]string) {
	for _, p := range boilerplatePrefixes {
		m[p[0]] = append(m[p[0]], p)
	}
	return m
}()

func init() {
	for _, p := range boilerplateParts {
		if !strings.Contains(p, "question") && p != "happy to answer" {
			panic("summary: isBoilerplate's shortcut misses the part " + p)
		}
	}
}

// isBoilerplate reports whether a sentence is a greeting, thanks, a hand-over
// to questions, or a bare speaker label.
func isBoilerplate(s string) bool {
	var stack [512]byte
	var l []byte
	if isASCII(s) {
		// lowerPlain(s), without making a string: for ASCII it only lowers
		// and trims.
		lo, hi := 0, len(s)
		for lo < hi && !asciiWord[s[lo]] {
			lo++
		}
		for hi > lo && !asciiWord[s[hi-1]] {
			hi--
		}
		l = stack[:0]
		for i := lo; i < hi; i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			l = append(l, c)
		}
	} else {
		l = append(stack[:0], lowerPlain(s)...)
	}
	if len(l) == 0 || string(l) == "thanks" {
		return true
	}
	for _, p := range prefixesByByte[l[0]] {
		if len(l) >= len(p) && string(l[:len(p)]) == p {
			return true
		}
	}
	// Every part holds "question" or is "happy to answer".
	if bytes.Contains(l, questionBytes) || bytes.Contains(l, happyBytes) {
		for _, p := range boilerplatePartBytes {
			if bytes.Contains(l, p) {
				return true
			}
		}
	}
	if lbl, rest, ok := splitLabel(s); ok && rest == "" && lbl != "" {
		return true
	}
	return false
}

var (
	questionBytes, happyBytes = []byte("question"), []byte("happy to answer")
	boilerplatePartBytes      = func() (out [][]byte) {
		for _, p := range boilerplateParts {
			out = append(out, []byte(p))
		}
		return out
	}()
)

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fragmentStarts begin sentences that are not full sentences in speeches
// ("Which require global responses.", "Including by leading ...").
var fragmentStarts = setOf("which", "including", "whereas", "such", "like", "literally", "especially", "notably", "particularly")

// verblessStarts begin phrases that speeches set apart as sentences
// ("With more AWACS flight-time.", "An increase of 60%."): a fragment when
// no verb follows.
var verblessStarts = setOf("an", "with", "from", "more", "less", "only", "just")

// auxiliaries are verbs enough to tell a clause from a phrase.
var auxiliaries = setOf("is", "are", "was", "were", "be", "been", "am", "will", "would",
	"can", "could", "shall", "should", "may", "might", "must", "have", "has", "had",
	"do", "does", "did", "s", "re", "ll", "ve", "d")

// hasVerbHint reports whether s holds an auxiliary or a word in -ed: a
// cheap sign of a clause, used only to tell phrases from sentences.
func hasVerbHint(s string) bool {
	var buf [32]byte
	for i := 0; ; {
		var w []byte
		if w, i = nextWord(s, i, buf[:0]); i < 0 {
			return false
		}
		if auxiliaries[string(w)] || len(w) > 4 && bytes.HasSuffix(w, edBytes) {
			return true
		}
	}
}

var edBytes = []byte("ed")

// notGerunds are words ending in -ing that may well start a full sentence.
var notGerunds = setOf("during", "nothing", "something", "everything", "anything", "notwithstanding", "king", "bring", "thing", "morning", "evening", "spring", "beijing", "concerning")

var ingBytes = []byte("ing")

// isFragment reports whether a sentence looks like a fragment cut off a
// longer one: it starts with a relative or participle ("Forcing our
// members ...") or does not end as a sentence ends (a colon introduces what
// follows and is not a sentence end either).
func isFragment(s string) bool {
	// The first two words, as words(s) has them, without making strings
	// of them.
	var buf [32]byte
	first, next := nextWord(s, 0, buf[:0])
	if next < 0 {
		return true
	}
	if fragmentStarts[string(first)] {
		return true
	}
	if string(first) == "as" {
		if second, next := nextWord(s, next, buf[2:2]); next >= 0 && string(second) == "well" {
			return true
		}
		if !strings.Contains(s, ",") {
			return true // "As the host of our missile defence site." (a clause: "As X grows, Y …")
		}
	}
	if bytes.HasSuffix(first, ingBytes) && len(first) > 5 && !notGerunds[string(first)] {
		r := firstRune(s)
		return unicode.IsUpper(r) || !unicode.IsLetter(r)
	}
	if verblessStarts[string(first)] && !hasVerbHint(s[next:]) {
		return true // "An increase of 60% over 2015.", "With support for …"
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

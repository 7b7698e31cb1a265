package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoteSpan is one quotation in a paragraph: the opening mark at open, the
// quoted text in [in, out), and the text after the closing mark from end.
// An unclosed quotation (closed false) runs to the end of the paragraph, or
// to the next opening mark.
type quoteSpan struct {
	open, in, out, end int
	closed             bool
}

// closersFor lists the marks that close a quotation opened with a rune.
var closersFor = map[rune]string{
	'“': "”\"",
	'"': "\"”",
	'„': "“”",
	'«': "»",
}

// closersOf is closersFor[r], without a map lookup for every rune of a
// text.
func closersOf(r rune) (string, bool) {
	switch r {
	case '“', '"', '„', '«':
		return closersFor[r], true
	}
	return "", false
}

// findQuotations returns the top-level double quotations of p. Single
// quotes are left alone: they are mostly apostrophes or scare quotes.
func findQuotations(p string) []quoteSpan {
	if strings.IndexByte(p, '"') < 0 && !strings.Contains(p, "“") && !strings.Contains(p, "„") && !strings.Contains(p, "«") {
		return nil // no opening mark: most paragraphs
	}
	var out []quoteSpan
	var cur *quoteSpan
	var want string
	for i, r := range p {
		w := utf8.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if cur != nil && strings.ContainsRune(want, r) {
			cur.out, cur.end, cur.closed = i, i+w, true
			out = append(out, *cur)
			cur = nil
			continue
		}
		if c, ok := closersOf(r); ok {
			if cur != nil { // a new quotation before the old one closed
				cur.out, cur.end = i, i
				out = append(out, *cur)
			}
			cur = &quoteSpan{open: i, in: i + w}
			want = c
		}
	}
	if cur != nil {
		cur.out, cur.end = len(p), len(p)
		out = append(out, *cur)
	}
	return out
}

// cleanWord strips punctuation and quotation marks around a word and lowers
// it, for comparing with word lists.
func cleanWord(w string) string {
	return strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) }))
}

// isSpeechVerb reports whether w (with any punctuation) is a speech verb.
func isSpeechVerb(w string) bool {
	// ASCII words, the usual, are cleaned in place: cleanWord's result for
	// them, without making it.
	var buf [speechVerbMax]byte
	lo, hi := 0, len(w)
	for lo < hi && w[lo] < utf8.RuneSelf && !asciiWord[w[lo]] {
		lo++
	}
	for hi > lo && w[hi-1] < utf8.RuneSelf && !asciiWord[w[hi-1]] {
		hi--
	}
	core := w[lo:hi]
	for i := 0; i < len(core); i++ {
		c := core[i]
		if c >= utf8.RuneSelf {
			return speechVerbs[cleanWord(w)]
		}
		if i >= len(buf) {
			return false // longer than every speech verb
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if len(core) == 0 || buf[0] < 'a' || buf[0] > 'z' || verbLengths[buf[0]-'a']&(1<<len(core)) == 0 {
		return false // no speech verb starts so and is so long
	}
	return speechVerbs[string(buf[:len(core)])]
}

// verbLengths has, for each first letter a to z, the lengths of the
// speech verbs with it as bits: most words are not speech verbs, and this
// tells without a map lookup.
var verbLengths = func() (t [26]uint32) {
	for v := range speechVerbs {
		t[v[0]-'a'] |= 1 << len(v)
	}
	return t
}()

// speechVerbMax bounds the length of the speech verbs.
const speechVerbMax = 16

func init() {
	for v := range speechVerbs {
		if len(v) > speechVerbMax || v[0] < 'a' || v[0] > 'z' {
			panic("summary: speech verb " + v + " is longer than speechVerbMax or does not start with a-z")
		}
	}
}

// madeWords come before "clear" in "made clear", a speech verb of two words.
var madeWords = setOf("made", "makes", "make", "making")

var pronouns = setOf("he", "she", "they", "we", "i", "you", "it")

func isPronoun(s string) bool { return pronouns[strings.ToLower(s)] }

// adverbs may stand between a speaker and the verb: "X also said".
var adverbs = setOf("also", "later", "then", "further", "once", "again",
	"separately", "previously", "earlier", "today", "yesterday", "recently",
	"has", "had", "have", "was", "is", "will", "would", "repeatedly")

// speakerStops end a speaker after its verb: "said X in a statement".
var speakerStops = setOf("on", "in", "at", "to", "during", "after", "before",
	"when", "while", "as", "who", "adding", "following", "ahead", "from", "with")

// notSpeakers start clauses that are not a speaker before a verb.
var notSpeakers = setOf("it", "this", "that", "these", "those", "there", "which",
	"what", "who", "and", "but", "or", "so", "as", "if", "when", "while")

// ends reports whether a word ends a clause: a comma, a colon, a semicolon,
// or a full stop that is not an abbreviation's ("Mr.") or an initial's.
func ends(w string) bool {
	core, closers := trimClosers(w)
	if closers != "" && strings.ContainsAny(closers, quoteRunes) {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(core)
	switch last {
	case ',', ';', ':', '!', '?', '…':
		return true
	case '.':
		base := strings.TrimSuffix(core, ".")
		return !neverFinal[strings.ToLower(base)] && !isInitial(base)
	}
	return false
}

// attributionAfter reads an attribution right after a closing quotation
// mark: “…,” said NATO Spokesperson Allison Hart. / “…”, X said. /
// “…,” he added. ok is false when there is none.
func attributionAfter(after string) (speaker string, ok bool) {
	if len(after) > 400 {
		after = after[:400] // 16 words are enough; a paragraph may be long
	}
	ws := strings.Fields(strings.TrimLeft(after, " \t\n,;"))
	if len(ws) > 16 {
		ws = ws[:16]
	}
	if len(ws) == 0 {
		return "", false
	}
	if !unicode.IsLetter(firstRune(ws[0])) {
		return "", false // a new quotation or a parenthesis
	}
	if isSpeechVerb(ws[0]) && !ends(ws[0]) {
		return speakerAfterVerb(ws[1:]), true
	}
	if isSpeechVerb(ws[0]) {
		return "", true // “…,” said.  (nothing named)
	}
	for k := 1; k < len(ws) && k <= 10; k++ {
		if ends(ws[k-1]) {
			return "", false
		}
		if isSpeechVerb(ws[k]) {
			s := speakerBefore(ws[:k])
			return s, s != ""
		}
	}
	return "", false
}

// attributionBefore reads an attribution that introduces a quotation:
// Mr Rutte said: “…” / In a statement, NATO Spokesperson Allison Hart said,
// “…”.
func attributionBefore(before string) (speaker string, ok bool) {
	b := strings.TrimRightFunc(before, unicode.IsSpace)
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	switch {
	case strings.HasSuffix(b, ":"), strings.HasSuffix(b, ","):
		b = b[:len(b)-1]
	case strings.HasSuffix(b, " that"):
		// "X stressed that “…”"
	default:
		return "", false
	}
	ws := strings.Fields(b)
	// Only the last clause counts.
	start := 0
	for k := len(ws) - 1; k >= 0; k-- {
		if k < len(ws)-1 && ends(ws[k]) && !strings.HasSuffix(ws[k], ",") {
			start = k + 1
			break
		}
	}
	ws = ws[start:]
	// The verb may be followed by a few words: "said in a statement",
	// "said the war is entering a critical phase".
	for k := len(ws) - 1; k >= 0 && k >= len(ws)-12; k-- {
		head := ws[:k]
		switch {
		case isSpeechVerb(ws[k]):
		case k > 0 && cleanWord(ws[k]) == "clear" && madeWords[cleanWord(ws[k-1])]:
			head = ws[:k-1] // "X made clear that …"
		default:
			continue
		}
		for j := len(head) - 1; j >= 0; j-- {
			if ends(head[j]) {
				head = head[j+1:]
				break
			}
		}
		s := speakerBefore(head)
		return s, s != ""
	}
	return "", false
}

// speakerAfterVerb reads the speaker after a verb: capitalised words and
// connectors ("NATO Spokesperson Allison Hart", "the Secretary General"),
// up to the end of the clause or the first other lower-case word.
func speakerAfterVerb(ws []string) string {
	var out []string
	for k, w := range ws {
		if k >= 10 {
			break
		}
		c := cleanWord(w)
		if speakerStops[c] {
			break
		}
		r := firstRune(strings.TrimLeft(w, openerRunes))
		lowerOK := labelConnectors[c] || (k == 0 && (c == "a" || c == "an"))
		if !unicode.IsUpper(r) && !lowerOK {
			if k == 0 && (c == "he" || c == "she") {
				return c
			}
			// "a senior NATO official": a lower-case noun after an article.
			if k > 0 && k < 5 && len(out) > 0 && (out[0] == "a" || out[0] == "an" || strings.EqualFold(out[0], "the")) && unicode.IsLetter(r) {
				out = append(out, w)
				if ends(w) {
					break
				}
				continue
			}
			break
		}
		out = append(out, w)
		if ends(w) {
			break
		}
	}
	for len(out) > 0 && labelConnectors[cleanWord(out[len(out)-1])] {
		out = out[:len(out)-1]
	}
	if len(out) == 1 && (cleanWord(out[0]) == "a" || cleanWord(out[0]) == "an") {
		return ""
	}
	return strings.Join(out, " ")
}

// timeWords may open a sentence before its speaker, capitalised.
var timeWords = setOf("today", "yesterday", "tomorrow", "tonight", "earlier", "later", "meanwhile", "then", "now", "also")

// speakerBefore reads the speaker that stands before a verb: "NATO
// Secretary General Mark Rutte", "he", "the Secretary General". It returns
// "" when the words do not read as one.
func speakerBefore(ws []string) string {
	for len(ws) > 0 && adverbs[cleanWord(ws[len(ws)-1])] {
		ws = ws[:len(ws)-1]
	}
	for len(ws) > 1 && timeWords[cleanWord(ws[0])] {
		ws = ws[1:] // "Yesterday President Zelenskyy told me": not his name
	}
	if len(ws) == 0 || len(ws) > 10 {
		return ""
	}
	if len(ws) == 1 && isPronoun(cleanWord(ws[0])) {
		return cleanWord(ws[0])
	}
	first := cleanWord(ws[0])
	if notSpeakers[first] || pronouns[first] {
		return ""
	}
	article := first == "the" || first == "a" || first == "an"
	for k, w := range ws {
		c := cleanWord(w)
		r := firstRune(strings.TrimLeft(w, openerRunes))
		switch {
		case unicode.IsUpper(r):
		case k > 0 && labelConnectors[c]:
		case k == 0 && article:
		case article && unicode.IsLetter(r) && k < 4:
			// "the spokesperson", "a senior official"
		default:
			return ""
		}
	}
	return strings.Join(ws, " ")
}

// opensInQuotation reports whether a paragraph starts inside a quotation
// opened in the paragraph before: its first quotation mark closes one
// (“…\n\nSo we must stay the course.”).
func opensInQuotation(p string) bool {
	for _, r := range p {
		switch r {
		case '”', '»':
			return true
		case '“', '«', '„', '"':
			return false
		}
	}
	return false
}

// quoteState reads the quotation marks of sentence s, which starts inside
// a quotation when in is true. It reports whether s is a piece of a
// longer quotation (it starts or ends inside one), whether it holds a
// quotation of minQuoteWords words or more, and whether the text after it
// is still inside a quotation.
func quoteState(s string, in bool) (inQuote, quoted, after bool) {
	start := in
	for _, r := range s {
		switch r {
		case '“', '«', '„':
			in = true
		case '”', '»':
			in = false
		case '"':
			in = !in
		}
	}
	if start || in {
		return true, true, in
	}
	qs := findQuotations(s)
	for _, q := range qs {
		if wordCount(s[q.in:q.out]) >= minQuoteWords {
			return false, true, false
		}
	}
	if len(qs) > 0 {
		// “We are ready,” said X: short, but quoted speech.
		for _, w := range strings.Fields(s) {
			if isSpeechVerb(w) {
				return false, true, false
			}
		}
	}
	return false, false, false
}

// truncateQuoted is truncate, cut before a quotation the cut would leave
// open: a reader never sees an opening mark without its closing one.
func truncateQuoted(s string, limit int) string {
	t := truncate(s, limit)
	if t == s {
		return t
	}
	if _, _, open := quoteState(t, false); !open {
		return t
	}
	last := strings.LastIndexAny(t, "“«„\"")
	if head := strings.TrimRightFunc(t[:max(last, 0)], unicode.IsSpace); head != "" {
		return head + "…"
	}
	return t
}

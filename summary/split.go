package summary

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text (one paragraph or many separated by blank lines)
// into sentences, trimmed, in order. Paragraph breaks always end a
// sentence; inside a paragraph any run of whitespace becomes one space.
// Nothing but whitespace is dropped: the sentences hold every other byte of
// text, in order.
//
// It is a rule-based splitter (see the package doc for why not Punkt): a
// sentence may end only at a word ending in . ! ? or … (closing quotes and
// brackets may follow), and not when the next word starts in lower case
// (“Stop.” he said), after titles and connectives such as "Mr.", "Dr.",
// "Gen.", "Lt.", "e.g.", "i.e." (abbrev.go), after "No."/"Art." before a
// number, after initials ("J. Stoltenberg"), after a list number at the start
// of a sentence ("1."), or after "U.S."-style acronyms unless a typical
// sentence starter follows. "a.m."/"p.m."/"etc." end a sentence only before a
// capitalised word. Decimals ("2.5") never contain a space and so never
// split. A quotation closed with . ! or ? followed by a short attribution
// clause (“Stop!” Mr Rutte said.) stays in one sentence.
func Sentences(text string) []string {
	var out []string
	for _, p := range paragraphs(text) {
		out = appendSentences(out, p)
	}
	return out
}

// paragraphs splits text on blank (whitespace-only) lines. Paragraphs keep
// their inner line breaks and are not trimmed.
func paragraphs(text string) []string { return appendParagraphs(nil, text) }

// appendParagraphs appends the paragraphs of text to out.
func appendParagraphs(out []string, text string) []string {
	start, end := -1, 0
	for i := 0; i < len(text); {
		next := len(text)
		line := text[i:]
		if j := strings.IndexByte(line, '\n'); j >= 0 {
			line, next = line[:j], i+j+1
		}
		if strings.TrimSpace(line) == "" {
			if start >= 0 {
				out = append(out, text[start:end])
				start = -1
			}
		} else {
			if start < 0 {
				start = i
			}
			end = i + len(line)
		}
		i = next
	}
	if start >= 0 {
		out = append(out, text[start:end])
	}
	return out
}

// span is a byte range [s, e) of a string.
type span struct{ s, e int }

// wordSpans returns the whitespace-separated words of p.
func wordSpans(p string) []span { return appendWordSpans(make([]span, 0, len(p)/6+1), p) }

// appendWordSpans appends the whitespace-separated words of p to ws.
func appendWordSpans(ws []span, p string) []span {
	start := -1
	for i := 0; i < len(p); {
		c := p[i]
		space, w := asciiSpace[c&0x7f], 1
		if c >= utf8.RuneSelf {
			var r rune
			r, w = utf8.DecodeRuneInString(p[i:])
			space = unicode.IsSpace(r)
		}
		if space {
			if start >= 0 {
				ws = append(ws, span{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += w
	}
	if start >= 0 {
		ws = append(ws, span{start, len(p)})
	}
	return ws
}

func appendSentences(out []string, p string) []string {
	eachSentence(p, func(ws []span) { out = append(out, joinWords(p, ws)) })
	return out
}

// splitter is Sentences with its scratch kept from one text to the next,
// and sentences that are substrings of the text where they can be (one
// space between their words).
type splitter struct {
	paras []string
	words []span
}

// splitSentence is a sentence with its wordCount.
type splitSentence struct {
	text  string
	words int
}

// sentences appends the sentences of text (as Sentences has them) to out.
func (sp *splitter) sentences(out []splitSentence, text string) []splitSentence {
	sp.paras = appendParagraphs(sp.paras[:0], text)
	for _, p := range sp.paras {
		sp.words = appendWordSpans(sp.words[:0], p)
		eachSentenceOf(p, sp.words, func(ws []span) {
			// The words are wordCount's fields.
			n := 0
			for _, w := range ws {
				if hasWordRune(p[w.s:w.e]) {
					n++
				}
			}
			if isJoined(p, ws) {
				out = append(out, splitSentence{p[ws[0].s:ws[len(ws)-1].e], n})
			} else {
				out = append(out, splitSentence{joinWords(p, ws), n})
			}
		})
	}
	clear(sp.paras)
	return out
}

// isJoined reports whether the words ws of p stand as joinWords joins
// them: one plain space between each two.
func isJoined(p string, ws []span) bool {
	for k := 1; k < len(ws); k++ {
		if e := ws[k-1].e; ws[k].s != e+1 || p[e] != ' ' {
			return false
		}
	}
	return true
}

// hasWordRune reports whether s holds a letter or a digit (isWordRune).
func hasWordRune(s string) bool {
	for _, r := range s {
		if isWordRune(r) {
			return true
		}
	}
	return false
}

// eachSentence calls fn with the words of each sentence of the paragraph
// p, in order: the sentence is joinWords(p, ws).
func eachSentence(p string, fn func(ws []span)) {
	eachSentenceOf(p, wordSpans(p), fn)
}

// eachSentenceOf is eachSentence, with the words of p. A sentence never
// ends inside a closed quotation: a quotation of several sentences is one
// unit, for the summary and the quotes alike.
func eachSentenceOf(p string, words []span, fn func(ws []span)) {
	qs := findQuotations(p) // nil for most paragraphs
	first, k := 0, 0
	for i := range words {
		if i == len(words)-1 || !insideQuotation(qs, &k, words[i].e) && endsSentence(p, words, i, first) {
			fn(words[first : i+1])
			first = i + 1
		}
	}
}

// insideQuotation reports whether offset e, the end of a word, is inside
// a closed quotation: after its opening mark, not past its closing one.
// *k is the first quotation that may hold e; e only grows.
func insideQuotation(qs []quoteSpan, k *int, e int) bool {
	for *k < len(qs) && qs[*k].out < e {
		*k++
	}
	return *k < len(qs) && qs[*k].closed && qs[*k].in < e && e <= qs[*k].out
}

func joinWords(p string, ws []span) string {
	if len(ws) == 0 {
		return ""
	}
	n := len(ws) - 1
	for _, w := range ws {
		n += w.e - w.s
	}
	var b strings.Builder
	b.Grow(n)
	for k, w := range ws {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p[w.s:w.e])
	}
	return b.String()
}

const (
	closerRunes = "\"'”’»)]}"
	openerRunes = "\"'“‘«„([{¿¡"
	quoteRunes  = "\"'”’»“‘«„"
)

// trimClosers splits w into its core and the closing quotes and brackets
// that end it.
func trimClosers(w string) (core, closers string) {
	if n := len(w); n > 0 {
		// A word ending in an ASCII byte that closes nothing (most do).
		if c := w[n-1]; c < utf8.RuneSelf && c != '"' && c != '\'' && c != ')' && c != ']' && c != '}' {
			return w, ""
		}
	}
	core = strings.TrimRight(w, closerRunes)
	return core, w[len(core):]
}

func trimOpeners(w string) string { return strings.TrimLeft(w, openerRunes) }

// endsSentence reports whether the sentence ends after word i (i is not the
// last word of the paragraph). first is the first word of the current
// sentence.
func endsSentence(p string, words []span, i, first int) bool {
	core, closers := trimClosers(p[words[i].s:words[i].e])
	last, _ := utf8.DecodeLastRuneInString(core)
	if last != '.' && last != '!' && last != '?' && last != '…' {
		return false
	}
	next := trimOpeners(p[words[i+1].s:words[i+1].e])
	nr, _ := utf8.DecodeRuneInString(next)
	if unicode.IsLower(nr) {
		return false
	}
	if strings.ContainsAny(closers, quoteRunes) && attributionFollows(p, words, i+1) {
		return false
	}
	if last != '.' || strings.HasSuffix(core, "..") {
		return true
	}
	base := trimOpeners(core[:len(core)-1])
	if base == "" {
		return true
	}
	lb := strings.ToLower(base)
	switch {
	case neverFinal[lb]:
		return false
	case beforeNumber[lb] && unicode.IsDigit(nr):
		return false
	case maybeFinal[lb]:
		return !isCode(next)
	case isInitial(base):
		return false
	case isDottedAcronym(base):
		if unicode.IsUpper(firstRune(base)) {
			return sentenceStarters[strings.ToLower(leadingLetters(next))]
		}
		return !isCode(next)
	case i == first && isDigits(base):
		return false // a list number: "1. The first item"
	}
	return true
}

// attributionFollows reports whether the words from j on form a short
// attribution clause such as "Mr Rutte said." or "NATO Spokesperson Allison
// Hart told reporters.", which continues the sentence of a closed quotation.
func attributionFollows(p string, words []span, j int) bool {
	if trimOpeners(p[words[j].s:words[j].e]) != p[words[j].s:words[j].e] {
		return false // a new quotation or parenthesis starts
	}
	verb := -1
	for k := j; k < len(words) && k < j+10; k++ {
		w := p[words[k].s:words[k].e]
		if verb < 0 && speechVerbs[strings.ToLower(strings.TrimRight(w, ".,;:!?"+closerRunes))] {
			verb = k
		}
		core, _ := trimClosers(w)
		if base, ok := strings.CutSuffix(core, "."); ok && (neverFinal[strings.ToLower(base)] || isInitial(base)) {
			continue // "Mr." or "J." inside the clause
		}
		if strings.HasSuffix(core, ".") || strings.HasSuffix(core, "!") || strings.HasSuffix(core, "?") || k == len(words)-1 {
			return core == w && verb >= 0 && k-verb <= 3
		}
	}
	return false
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// isInitial reports whether s is one upper-case letter ("J" of "J.").
func isInitial(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n == len(s) && unicode.IsUpper(r)
}

// isDottedAcronym reports whether s is letters separated by single dots:
// "U.S", "a.m", "e.g", "J.F".
func isDottedAcronym(s string) bool {
	dots := 0
	for {
		part, rest, found := strings.Cut(s, ".")
		r, n := utf8.DecodeRuneInString(part)
		if n == 0 || n != len(part) || !unicode.IsLetter(r) {
			return false
		}
		if !found {
			return dots > 0
		}
		dots++
		s = rest
	}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// isCode reports whether w looks like an all-caps code ("CET", "GMT") rather
// than a capitalised word.
func isCode(w string) bool {
	l := leadingLetters(w)
	return utf8.RuneCountInString(l) >= 2 && strings.ToUpper(l) == l && strings.ToLower(l) != l
}

// leadingLetters returns the letters at the start of w.
func leadingLetters(w string) string {
	for i, r := range w {
		if !unicode.IsLetter(r) {
			return w[:i]
		}
	}
	return w
}

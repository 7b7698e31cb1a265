package summary

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

const (
	maxQuotes           = 3
	maxQuoteRunes       = 300
	minQuoteWords       = 5 // shorter quoted text is a scare quote: “hybrid”
	minSpeechQuoteWords = 6
)

// quoteWeights rank speech sentences as quotes: salience, no lead bias.
var quoteWeights = rankWeights{central: 0.5, title: 0.2, leadScale: 1, cue: 0.1, salience: 1}

// Quotes returns at most three key quotes, in this order:
//
//  1. quoted speech with a known speaker (attribution.go): “…,” said X. /
//     “…”, X said. / X said: “…” / X stressed that “…” / “…,” he added.
//     A quotation over paragraphs or interrupted by its attribution is
//     one quote; "he"/"she" and "the Secretary General" resolve to the
//     person the narration named; a quotation whose speaker stays unknown,
//     or that stands in a questioner's or host's turn, is left out. Of
//     more than three, the most salient, shown in text order.
//  2. for speeches and transcripts, when fewer than three were found: the
//     most salient full sentences (six words or more, no greetings, no
//     questions, no quoted speech) of the main speaker's turns, credited
//     to the main speaker (mainSpeaker); a line opening on And/But/So is
//     quoted from the word after it when it stands alone. Sentences that
//     are not in Summarize's result are preferred, so the alert does not
//     repeat itself; they come in text order.
//
// Quote text is trimmed of quotation marks and at most 300 runes (cut on a
// word boundary with "…", never inside a quotation); no quote repeats
// another.
func Quotes(r *release.Release) []release.Quote {
	var b *body
	bodyOf := func() *body {
		if b == nil {
			b = readBody(r)
		}
		return b
	}
	qs := quotesOf(r, bodyOf, func() []string { return bodyOf().summary() })
	if b != nil {
		b.free()
	}
	return qs
}

// Digest returns Summarize(r) and Quotes(r), what an alert shows. The key
// quotes of a speech avoid the summary's sentences, so Quotes summarises
// the release too: Digest does it once for both, and reads the body once.
func Digest(r *release.Release) (summary []string, quotes []release.Quote) {
	if r == nil {
		return nil, nil
	}
	b := readBody(r)
	defer b.free()
	summary = b.summary()
	return summary, quotesOf(r, func() *body { return b }, func() []string { return summary })
}

// quotesOf is Quotes, with the release's body read by bodyOf and its
// summary from sum, each called only when needed.
func quotesOf(r *release.Release, bodyOf func() *body, sum func() []string) []release.Quote {
	if r == nil {
		return nil
	}
	var qs quoteSet
	main := ""
	if hasQuotationMark(r.Body) {
		main = bodyOf().main
	}
	quoted, order := bestQuoted(quotedSpeech(r, main), r.Title)
	var added []int
	for _, i := range order {
		if len(qs.out) == maxQuotes {
			break
		}
		if qs.add(quoted[i]) {
			added = append(added, i)
		}
	}
	// Shown in text order: qs.out[k] is quoted[added[k]].
	slices.Sort(added)
	for k, i := range added {
		qs.out[k] = cleanQuote(quoted[i])
	}
	if r.Type == release.TypeSpeech && len(qs.out) < maxQuotes {
		speechQuotes(bodyOf(), &qs, sum)
	}
	return qs.out
}

// quoteSet collects quotes without repeats.
type quoteSet struct {
	out  []release.Quote
	keys []string
}

// add appends q unless its words repeat (or contain, or are contained in)
// a quote already there. It reports whether q was added.
func (qs *quoteSet) add(q release.Quote) bool {
	q = cleanQuote(q)
	// The key is " " + strings.Join(words(q.Text), " ") + " ".
	var stack [320]byte
	var wbuf [64]byte
	kb := append(stack[:0], ' ')
	for i := 0; ; {
		var w []byte
		if w, i = nextWord(q.Text, i, wbuf[:0]); i < 0 {
			break
		}
		kb = append(append(kb, w...), ' ')
	}
	if len(kb) == 1 {
		return false // no words
	}
	key := string(kb)
	for _, k := range qs.keys {
		if strings.Contains(k, key) || strings.Contains(key, k) {
			return false
		}
	}
	qs.keys = append(qs.keys, key)
	qs.out = append(qs.out, q)
	return true
}

// cleanQuote is q as a key quote shows it.
func cleanQuote(q release.Quote) release.Quote {
	return release.Quote{Text: cleanQuoteText(q.Text), Speaker: cleanSpeaker(q.Speaker)}
}

// cleanQuoteText collapses whitespace, strips quotation marks and a
// trailing comma, and caps the length.
func cleanQuoteText(s string) string {
	s = joinWords(s, wordSpans(s))
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(quoteRunes+",;:", r)
	})
	return truncateQuoted(s, maxQuoteRunes)
}

// cleanSpeaker collapses whitespace and trims punctuation around a speaker.
func cleanSpeaker(s string) string {
	s = joinWords(s, wordSpans(s))
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(quoteRunes+",;:.()[]-–—", r)
	})
	if strings.HasSuffix(s, " Mr") || strings.HasSuffix(s, " Dr") {
		s += "." // "said Mr." lost its dot to the trim; keep the title whole
	}
	return s
}

// speechQuotes adds the main speaker's most salient sentences to qs.
func speechQuotes(b *body, qs *quoteSet, sum func() []string) {
	main := b.main
	if main == "" {
		return
	}
	cands := b.quoteCands[:0]
	for i, s := range b.sents {
		if s.kind != turnMain && s.kind != turnNone {
			continue
		}
		// A sentence with quotation marks holds someone's words, maybe
		// not the main speaker's.
		if s.boiler || s.words < minSpeechQuoteWords || s.fragment || s.inQuote || s.quoted || strings.ContainsAny(s.text, "\"“”«»„") {
			continue
		}
		if asks(s.text) || namesInThirdPerson(s.text, main) {
			continue
		}
		cands = append(cands, i)
	}
	b.quoteCands = cands
	if len(cands) == 0 {
		return
	}
	summary := sum()
	order, vs := b.rank(cands, quoteWeights)
	text := func(i int) string { return b.sents[cands[i]].text }
	var picked []int
	for pass := 0; pass < 2 && len(qs.out) < maxQuotes; pass++ {
		for _, o := range order {
			if len(qs.out) == maxQuotes {
				break
			}
			// The first pass leaves out what the summary says; no pass
			// takes a line that leans on the one before ("And …").
			if slices.Contains(picked, o.i) || (pass == 0 && slices.Contains(summary, text(o.i))) || repeats(vs, picked, o.i) {
				continue
			}
			line, ok := standAlone(text(o.i))
			if ok && qs.add(release.Quote{Text: line, Speaker: main}) {
				picked = append(picked, o.i)
			}
		}
	}
	// Put the speech quotes, appended in pick order, in text order.
	added := qs.out[len(qs.out)-len(picked):]
	byText := make([]int, len(picked))
	for k := range byText {
		byText[k] = k
	}
	slices.SortFunc(byText, func(a, b int) int { return picked[a] - picked[b] })
	sorted := make([]release.Quote, len(added))
	for k, j := range byText {
		sorted[k] = added[j]
	}
	copy(added, sorted)
}

// namesInThirdPerson reports a sentence that names the main speaker by
// surname ("Secretary General Mark Rutte spoke at …"): narration about
// them, not their words.
func namesInThirdPerson(text, main string) bool {
	name, _ := splitName(main)
	if len(name) == 0 {
		return false
	}
	surname := name[len(name)-1]
	for _, w := range words(text) {
		if w == surname {
			return true
		}
	}
	return false
}

// bestQuoted leaves out quotations that greet, thank or talk logistics
// (“Good morning …,” said X.) and orders the rest by salience (and words
// of the title), best first, ties in text order: the key quotes of a
// news item are the lines a journalist would lift.
func bestQuoted(qs []release.Quote, title string) (kept []release.Quote, order []int) {
	var low []byte
	for _, q := range qs {
		low = appendLower(low[:0], q.Text)
		if !isBoilerplate(q.Text) && !isCourtesy(low) && !isLogistics(low) {
			kept = append(kept, q)
		}
	}
	order = make([]int, len(kept))
	for i := range order {
		order[i] = i
	}
	if len(kept) <= maxQuotes {
		return kept, order
	}
	topic := map[string]bool{}
	for _, t := range terms(title) {
		topic[t] = true
	}
	score := make([]float64, len(kept))
	for i, q := range kept {
		low = append(appendLower(append(low[:0], ' '), q.Text), ' ')
		score[i] = salience(q.Text, low)
		for _, t := range terms(q.Text) {
			if topic[t] {
				score[i] += 0.1
			}
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
	return kept, order
}

// danglers open a line that cannot stand alone once its connective is
// gone: a verb without its subject ("And has provided …"), or a pronoun
// whose noun is in the sentence before ("And it must …").
var danglers = setOf("it", "this", "that", "these", "those", "they", "he", "she", "them", "which", "who")

// standAlone returns a speech line as a key quote can show it: a line
// that opens on a connective ("And the first step is …") is quoted from
// the word after it, as journalists do ("The first step is …"), unless
// what is left leans on the sentence before all the same.
func standAlone(s string) (string, bool) {
	if !opensOnConnective(s) {
		return s, true
	}
	_, rest, _ := strings.Cut(s, " ")
	rest = strings.TrimLeft(rest, ", ")
	var buf [16]byte
	w, next := nextWord(rest, 0, buf[:0])
	if next < 0 || danglers[string(w)] || auxiliaries[string(w)] || opensOnConnective(rest) || wordCount(rest) < minSpeechQuoteWords {
		return "", false
	}
	r, n := utf8.DecodeRuneInString(rest)
	line := string(unicode.ToUpper(r)) + rest[n:]
	if isFragment(line) { // "And appointing a Supreme Allied Commander."
		return "", false
	}
	return line, true
}

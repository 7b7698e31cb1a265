package summary

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

const (
	maxSummarySentences = 3
	maxSummaryRunes     = 600
	minSummaryWords     = 4
	// redundant is the similarity above which a sentence repeats one
	// already chosen.
	redundant = 0.6
)

// Weights of the summary ranker. Speeches open with pleasantries, so the
// lead bias is weaker for them than for news.
var (
	newsWeights   = rankWeights{central: 0.5, lead: 0.35, title: 0.15, leadScale: 3, cue: 0.1, salience: 0.15}
	speechWeights = rankWeights{central: 0.65, lead: 0.15, title: 0.2, leadScale: 5, cue: 0.1, salience: 0.3}
	// Statements and press releases: the operative sentences (decisions,
	// condemnations, commitments) matter more than the lead.
	statementWeights = rankWeights{central: 0.45, lead: 0.25, title: 0.15, leadScale: 3, cue: 0.1, salience: 0.35}
)

// body is a release's body read for the summary and the quotes: its
// sentences, labels removed, with what Summarize and Quotes ask of each
// worked out once for both. Bodies are pooled with what they hold, so
// that a summary allocates little: free puts one back.
type body struct {
	r     *release.Release
	main  string // mainSpeaker(r)
	sents []sent
	voc   vocab
	rk    ranker
	sp    splitter
	// terms holds the term ids of the sentences read so far and of the
	// title, one after another.
	terms     []int32
	title     []int32 // the title's term ids, once titleRead
	titleRead bool
	// Scratch.
	ss         []splitSentence
	docs       [][]int32
	sumCands   []int
	quoteCands []int
	low        []byte // a sentence lowered (appendLower)
}

var bodies = sync.Pool{New: func() any { return new(body) }}

// sent is a body sentence with the turn it belongs to.
type sent struct {
	text string
	kind turnKind
	// boiler: a question or moderator turn's, or isBoilerplate.
	boiler bool
	// words is wordCount(text), when not boiler (else 0); fragment is
	// isFragment(text), when words >= minSummaryWords (else false).
	words    int
	fragment bool
	// inQuote: the sentence is part of a quotation that goes on before
	// or after it (or its marks do not pair up); quoted: it holds a
	// quotation of minQuoteWords words or more. Neither is narration.
	inQuote, quoted bool
	read            bool // terms is read
	salRead         bool // sal is salience(text)
	sal             float64
	terms           []int32 // the sentence's term ids (vocab)
}

// readBody splits the body into sentences, speaker labels removed, and
// looks at each as the summary and the quotes will.
func readBody(r *release.Release) *body {
	b := bodies.Get().(*body)
	b.r, b.main = r, fullMain(r, mainSpeaker(r))
	for _, p := range parseTurns(r.Body, b.main) {
		b.ss = b.sp.sentences(b.ss[:0], p.text)
		inQ := opensInQuotation(p.text)
		for _, s := range b.ss {
			x := sent{text: s.text, kind: p.kind}
			x.inQuote, x.quoted, inQ = quoteState(s.text, inQ)
			b.low = appendLower(b.low[:0], s.text)
			x.boiler = p.kind == turnQuestion || p.kind == turnModerator || isBoilerplate(s.text) || isCourtesy(b.low) || isLogistics(b.low)
			if !x.boiler {
				x.words = s.words
				x.fragment = x.words >= minSummaryWords && isFragment(s.text)
			}
			b.sents = append(b.sents, x)
		}
	}
	return b
}

// free puts b back in the pool, without anything of its release: neither
// b nor what it handed out may be used after.
func (b *body) free() {
	b.r, b.main = nil, ""
	clear(b.sents)
	clear(b.ss)
	clear(b.docs)
	b.sents, b.ss, b.docs = b.sents[:0], b.ss[:0], b.docs[:0]
	b.terms, b.title, b.titleRead = b.terms[:0], nil, false
	b.voc.reset()
	bodies.Put(b)
}

// bodySentences splits the body into sentences, speaker labels removed.
func bodySentences(r *release.Release) []sent {
	b := readBody(r)
	ss := slices.Clone(b.sents)
	b.free()
	return ss
}

// termsOf returns the term ids of sentence i.
func (b *body) termsOf(i int) []int32 {
	s := &b.sents[i]
	if !s.read {
		n := len(b.terms)
		b.terms = b.voc.terms(s.text, b.terms)
		s.terms, s.read = b.terms[n:len(b.terms):len(b.terms)], true
	}
	return s.terms
}

// rank is ranker.rank for the sentences idx of b. What it returns is good
// until b ranks again.
func (b *body) rank(idx []int, rw rankWeights) ([]scored, []vector) {
	if len(idx) > maxRanked {
		idx = idx[:maxRanked]
	}
	b.docs = b.docs[:0]
	for _, i := range idx {
		b.docs = append(b.docs, b.termsOf(i))
	}
	if !b.titleRead {
		n := len(b.terms)
		b.terms = b.voc.terms(b.r.Title, b.terms)
		b.title, b.titleRead = b.terms[n:len(b.terms):len(b.terms)], true
	}
	order, vs := b.rk.rank(&b.voc, b.docs, b.title, rw)
	if rw.salience != 0 {
		for k := range order {
			order[k].score += rw.salience * b.salienceOf(idx[order[k].i])
		}
		slices.SortStableFunc(order, byScore)
	}
	return order, vs
}

// salienceOf returns salience of sentence i, worked out once.
func (b *body) salienceOf(i int) float64 {
	s := &b.sents[i]
	if !s.salRead {
		b.low = append(appendLower(append(b.low[:0], ' '), s.text), ' ')
		s.sal, s.salRead = salience(s.text, b.low), true
	}
	return s.sal
}

// summaryCandidates picks the sentences the summary may use: full
// sentences of the body that are not boilerplate or questions; failing
// that, any that are not boilerplate. Quoted speech goes to the key
// quotes, and a piece of a quotation never stands alone. A host's or a questioner's words
// and greetings never stand in a summary, even when nothing else is left:
// an empty summary says less, but nothing wrong.
func (b *body) summaryCandidates() []int {
	out := b.sumCands[:0]
	for i, s := range b.sents {
		if !s.boiler && s.words >= minSummaryWords && !s.fragment && !s.inQuote && !s.quoted && !asks(s.text) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		for i, s := range b.sents {
			if !s.boiler && !s.inQuote {
				out = append(out, i)
			}
		}
	}
	b.sumCands = out
	return out
}

// Summarize returns 1 to 3 sentences of narration, in their original
// order, that best summarise the release, at most maxSummaryRunes runes in
// all (counting one space between sentences). Sentences are ranked by
// centrality in the similarity graph, a lead bias, similarity to the title
// and salience (rank.go, salience.go; for statements and press releases
// salience weighs more). Greetings, thanks, logistics, hand-overs,
// questions, a host's or questioner's turns and pieces of quotations are
// never taken; quoted speech and fragments only when nothing else is
// left; a sentence opening on And/But/So only after the sentence before
// it. When the best sentence alone is longer than the limit it is
// returned alone, cut on a word boundary with "…". It returns nil when
// nothing qualifies.
func Summarize(r *release.Release) []string {
	if r == nil {
		return nil
	}
	b := readBody(r)
	defer b.free()
	return b.summary()
}

// summary is Summarize(b.r).
func (b *body) summary() []string {
	cands := b.summaryCandidates()
	if len(cands) == 0 {
		return nil
	}
	rw := newsWeights
	switch b.r.Type {
	case release.TypeSpeech:
		rw = speechWeights
	case release.TypePressRelease, release.TypeOfficialText:
		rw = statementWeights
	}
	order, vs := b.rank(cands, rw)
	text := func(i int) string { return b.sents[cands[i]].text }
	var chosen []int
	total := 0
	for _, o := range order {
		if len(chosen) == maxSummarySentences {
			break
		}
		n := utf8.RuneCountInString(text(o.i))
		if len(chosen) == 0 && n > maxSummaryRunes {
			return []string{truncateQuoted(text(o.i), maxSummaryRunes)}
		}
		if len(chosen) > 0 {
			n++ // the space before it
		}
		if total+n > maxSummaryRunes || repeats(vs, chosen, o.i) {
			continue
		}
		// "And …", "But …" lean on the sentence before: only after it.
		if opensOnConnective(text(o.i)) && (o.i == 0 || cands[o.i-1] != cands[o.i]-1 || !slices.Contains(chosen, o.i-1)) {
			continue
		}
		chosen = append(chosen, o.i)
		total += n
	}
	slices.Sort(chosen)
	out := make([]string, len(chosen))
	for k, i := range chosen {
		// A sentence may be a substring of the body (splitter): a copy
		// does not keep the whole body alive.
		out[k] = strings.Clone(text(i))
	}
	return out
}

// repeats reports whether sentence i says much the same as one of chosen.
func repeats(vs []vector, chosen []int, i int) bool {
	for _, c := range chosen {
		if cosine(vs[c], vs[i]) > redundant {
			return true
		}
	}
	return false
}

// asks reports whether a sentence is a question: a summary tells.
func asks(s string) bool {
	core, _ := trimClosers(s)
	return strings.HasSuffix(core, "?")
}

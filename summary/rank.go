package summary

import (
	"math"
	"slices"
)

// Ranking parameters.
const (
	damping       = 0.85
	maxIterations = 200
	tolerance     = 1e-9
	// maxRanked caps the sentences that enter the similarity graph (its cost
	// grows with the square); later sentences are rarely chosen anyway.
	maxRanked = 300
)

// vector is a sparse L2-normalised tf-idf vector, sorted by term id.
type vector []weight

type weight struct {
	id int32
	w  float64
}

// vocab gives the terms of a release's sentences (terms) integer ids, the
// same id for the same term in every sentence, so that ranking compares
// integers, not strings. Each sentence is read once, whatever ranks it.
type vocab struct {
	words strTable // folded word → its term's id; -1: not a term (stop word, one byte)
	stems strTable // term → id
	cue   []bool   // per id: a news cue (cueStems)
	buf   []byte   // scratch for a folded word
}

// reset forgets every word, keeping the room.
func (v *vocab) reset() {
	v.words.reset()
	v.stems.reset()
	v.cue = v.cue[:0]
}

// terms appends the ids of the terms of s, in order, to out: terms(s),
// as ids.
func (v *vocab) terms(s string, out []int32) []int32 {
	for i := 0; ; {
		var w []byte
		var at int
		if w, at, i = nextWordAt(s, i, v.buf); i < 0 {
			break
		}
		v.buf = w
		h := strHash(w)
		id, ok := tableGet(&v.words, w, h)
		if !ok {
			var ws string
			if at >= 0 {
				ws = s[at : at+len(w)] // no copy: the pool's reset lets go of it
			} else {
				ws = string(w)
			}
			id = -1
			if len(ws) >= 2 && !stopWords[ws] {
				t := stem(ws)
				th := strHash(t)
				if id, ok = tableGet(&v.stems, t, th); !ok {
					id = int32(len(v.cue))
					v.stems.put(t, th, id)
					v.cue = append(v.cue, cueStems[t])
				}
			}
			v.words.put(ws, h, id)
		}
		if id >= 0 {
			out = append(out, id)
		}
	}
	return out
}

// strTable maps strings to int32, for vocab: open addressing, linear
// probing, about twice the room it holds; reset forgets what it holds in
// time proportional to that, not to its room.
type strTable struct {
	slots []strSlot // len a power of 2
	used  []int32   // the slots in use
}

type strSlot struct {
	key  string // "" when free (no key is empty)
	hash uint32
	val  int32
}

// strHash is FNV-1a.
func strHash[T string | []byte](s T) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// tableGet returns the value in t of key k, whose strHash is h; k is a
// word being read ([]byte) or a term (string).
func tableGet[T string | []byte](t *strTable, k T, h uint32) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.key == "" {
			return 0, false
		}
		if sl.hash == h && sl.key == string(k) {
			return sl.val, true
		}
	}
}

// put sets key k (not in t, not empty), whose strHash is h, to v.
func (t *strTable) put(k string, h uint32, v int32) {
	if 2*(len(t.used)+1) > len(t.slots) {
		t.grow()
	}
	mask := uint32(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].key != "" {
		i = (i + 1) & mask
	}
	t.slots[i] = strSlot{k, h, v}
	t.used = append(t.used, int32(i))
}

func (t *strTable) grow() {
	old := t.slots
	t.slots = make([]strSlot, max(64, 2*len(old)))
	mask := uint32(len(t.slots) - 1)
	t.used = t.used[:0]
	for _, sl := range old {
		if sl.key == "" {
			continue
		}
		i := sl.hash & mask
		for t.slots[i].key != "" {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
		t.used = append(t.used, int32(i))
	}
}

func (t *strTable) reset() {
	for _, i := range t.used {
		t.slots[i] = strSlot{}
	}
	t.used = t.used[:0]
}

// ranker holds what ranking needs, kept from one ranking to the next so
// that they allocate little. Its vectors are good until the next ranking.
type ranker struct {
	local, df, lastDoc, ids []int32
	idf                     []float64
	weights                 []weight
	vs                      []vector
	xids                    []int32
	postAt, fill            []int32
	posts                   []posting
	rowAt, cols             []int32
	sims, out, acc          []float64
	score, next             []float64
	dangles                 []int
	order                   []scored
}

// posting is a document that holds a term, with the term's weight there.
type posting struct {
	doc int32
	w   float64
}

// zeroed returns s resized to n, all zero, reusing its array if it can.
func zeroed[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// vectorize builds tf-idf vectors for docs (lists of term ids < nterms),
// with idf log(1 + N/df) taken over docs, and the vector of extra (such as
// the title) with the same vocabulary and idf; extra does not count in df.
//
// The vectors' ids are local: numbered in order of first appearance in
// docs, so that a vector's order, and with it the order in which cosine
// adds up its terms, depends on docs alone. nlocal is their number.
func (rk *ranker) vectorize(docs [][]int32, extra []int32, nterms int) (vs []vector, x vector, nlocal int) {
	rk.local = zeroed(rk.local, nterms) // term id → local id + 1; 0: not in docs
	local := rk.local
	df := rk.df[:0]
	lastDoc := rk.lastDoc[:0] // per local id, the last document (+1) that counted it in df
	total := 0
	for _, d := range docs {
		total += len(d)
	}
	ids := rk.ids[:0] // docs in local ids, one after another
	for k, d := range docs {
		for _, t := range d {
			id := local[t] - 1
			if id < 0 {
				id = int32(len(df))
				local[t] = id + 1
				df = append(df, 0)
				lastDoc = append(lastDoc, 0)
			}
			ids = append(ids, id)
			if lastDoc[id] != int32(k+1) {
				lastDoc[id] = int32(k + 1)
				df[id]++
			}
		}
	}
	rk.df, rk.lastDoc, rk.ids = df, lastDoc, ids
	n := float64(len(docs))
	rk.idf = zeroed(rk.idf, len(df))
	idf := rk.idf
	for id, c := range df {
		idf[id] = math.Log(1 + n/float64(c))
	}
	// One array for all the vectors: total is enough for docs, and the
	// extra one comes after them.
	rk.weights = zeroed(rk.weights, total+len(extra))
	weights := rk.weights[:0]
	// build makes the vector of a document's local ids (sorted in place):
	// each id once, by id, weighted by its count (tf) times its idf, then
	// normalised.
	build := func(ids []int32) vector {
		slices.Sort(ids)
		start := len(weights)
		for i := 0; i < len(ids); {
			j := i + 1
			for j < len(ids) && ids[j] == ids[i] {
				j++
			}
			id := ids[i]
			weights = append(weights, weight{id, float64(j-i) * idf[id]})
			i = j
		}
		v := vector(weights[start:len(weights):len(weights)])
		var norm float64
		for _, x := range v {
			norm += x.w * x.w
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for i := range v {
				v[i].w /= norm
			}
		}
		return v
	}
	rk.vs = zeroed(rk.vs, len(docs))
	vs = rk.vs
	off := 0
	for k, d := range docs {
		vs[k] = build(ids[off : off+len(d)])
		off += len(d)
	}
	xids := rk.xids[:0]
	for _, t := range extra {
		if id := local[t] - 1; id >= 0 {
			xids = append(xids, id)
		}
	}
	rk.xids = xids
	x = build(xids)
	return vs, x, len(df)
}

// cosine is the dot product of two normalised vectors.
func cosine(a, b vector) float64 {
	var s float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].id < b[j].id:
			i++
		case a[i].id > b[j].id:
			j++
		default:
			s += a[i].w * b[j].w
			i++
			j++
		}
	}
	return s
}

// centrality runs weighted PageRank (damping 0.85, uniform teleport) on the
// cosine-similarity graph of vs (whose ids are < nterms), until the scores
// move less than tolerance. Scores sum to 1.
//
// The similarities are those of cosine, found through the documents that
// hold each term instead of by comparing every pair: for a pair, the
// products are added in the same order (by id) as cosine adds them, so the
// sums are the same to the bit, and so are the sums below, which add the
// same terms in the same order as the loops over the full matrix did.
func (rk *ranker) centrality(vs []vector, nterms int) []float64 {
	n := len(vs)
	if n == 0 {
		return nil
	}
	// Postings: the documents that hold each term, in order, with the
	// term's weight there.
	rk.postAt = zeroed(rk.postAt, nterms+1)
	postAt := rk.postAt
	for _, v := range vs {
		for _, x := range v {
			postAt[x.id+1]++
		}
	}
	for t := 1; t <= nterms; t++ {
		postAt[t] += postAt[t-1]
	}
	rk.posts = zeroed(rk.posts, int(postAt[nterms]))
	posts := rk.posts
	rk.fill = append(rk.fill[:0], postAt[:nterms]...)
	fill := rk.fill
	for k, v := range vs {
		for _, x := range v {
			posts[fill[x.id]] = posting{int32(k), x.w}
			fill[x.id]++
		}
	}
	// The graph: row i holds the j with an edge to i, in order of j, with
	// the similarity (later the weight sim/out[j]) of the edge.
	rk.rowAt = zeroed(rk.rowAt, n+1)
	rowAt := rk.rowAt
	cols, sims := rk.cols[:0], rk.sims[:0]
	rk.out = zeroed(rk.out, n) // sum of each row
	rk.acc = zeroed(rk.acc, n)
	out, acc := rk.out, rk.acc
	for i, v := range vs {
		for _, x := range v {
			for _, p := range posts[postAt[x.id]:postAt[x.id+1]] {
				acc[p.doc] += x.w * p.w
			}
		}
		acc[i] = 0
		for j, s := range acc {
			if s > 0 {
				cols = append(cols, int32(j))
				sims = append(sims, s)
				out[i] += s
			}
			acc[j] = 0
		}
		rowAt[i+1] = int32(len(cols))
	}
	rk.cols, rk.sims = cols, sims
	for k, j := range cols {
		sims[k] /= out[j]
	}
	dangles := rk.dangles[:0]
	for j := range out {
		if out[j] == 0 {
			dangles = append(dangles, j)
		}
	}
	rk.dangles = dangles
	rk.score = zeroed(rk.score, n)
	rk.next = zeroed(rk.next, n)
	score, next := rk.score, rk.next
	for i := range score {
		score[i] = 1 / float64(n)
	}
	teleport := (1 - damping) / float64(n)
	for iter := 0; iter < maxIterations; iter++ {
		var dangling float64
		for _, j := range dangles {
			dangling += score[j]
		}
		dangling /= float64(n) // each node's share
		var diff float64
		for i := 0; i < n; i++ {
			var in float64
			lo, hi := rowAt[i], rowAt[i+1]
			ws, js := sims[lo:hi], cols[lo:hi]
			for k, w := range ws {
				in += w * score[js[k]]
			}
			next[i] = teleport + damping*(in+dangling)
			diff += math.Abs(next[i] - score[i])
		}
		score, next = next, score
		if diff < tolerance {
			break
		}
	}
	return score
}

// scored is a sentence index with its final score.
type scored struct {
	i     int
	score float64
}

// rankWeights mixes the scores: centrality (scaled so the best is 1), a lead
// bias 1/(1+pos/leadScale) for the pos-th candidate, and cosine similarity
// with the title.
type rankWeights struct {
	central, lead, title float64
	leadScale            float64
	cue                  float64 // bonus for a news cue word (hasCue)
	salience             float64 // weight of salience(sentence), added by body.rank
}

// rank scores the sentences docs (their term ids in v; at most maxRanked
// of them, the first ones) with the title's terms, and returns them best
// first (ties keep text order), with their vectors in text order. Both are
// good until rk ranks again.
func (rk *ranker) rank(v *vocab, docs [][]int32, title []int32, rw rankWeights) ([]scored, []vector) {
	if len(docs) > maxRanked {
		docs = docs[:maxRanked]
	}
	vs, x, nlocal := rk.vectorize(docs, title, len(v.cue))
	c := rk.centrality(vs, nlocal)
	var maxC float64
	for _, ci := range c {
		maxC = math.Max(maxC, ci)
	}
	rk.order = zeroed(rk.order, len(docs))
	out := rk.order
	for i := range docs {
		s := rw.lead / (1 + float64(i)/rw.leadScale)
		if maxC > 0 {
			s += rw.central * c[i] / maxC
		}
		s += rw.title * cosine(vs[i], x)
		if rw.cue > 0 && v.hasCue(docs[i]) {
			s += rw.cue
		}
		if len(vs[i]) == 0 {
			s = 0 // no content words at all
		}
		out[i] = scored{i, s}
	}
	// Best first, ties in text order: what sort.SliceStable made of
	// "a.score > b.score" (the same algorithm, without reflection).
	slices.SortStableFunc(out, byScore)
	return out, vs
}

func byScore(a, b scored) int {
	switch {
	case a.score > b.score:
		return -1
	case b.score > a.score:
		return 1
	}
	return 0
}

// cueStems are stemmed words that mark the news in a sentence: what was
// announced, agreed, decided or condemned (the cue method of Edmundson).
var cueStems = setOf("announc", "agre", "decid", "launch", "approv", "sign",
	"condemn", "adopt", "deploy", "endors", "establish", "appoint")

func (v *vocab) hasCue(doc []int32) bool {
	for _, t := range doc {
		if v.cue[t] {
			return true
		}
	}
	return false
}

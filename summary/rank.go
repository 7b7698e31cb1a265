package summary

import (
	"math"
	"slices"
	"sort"
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

// vectorize builds tf-idf vectors for docs (lists of terms), with idf
// log(1 + N/df) taken over docs. extra documents (such as the title) are
// vectorised with the same vocabulary and idf but do not count in df.
func vectorize(docs [][]string, extra ...[]string) (vs []vector, xs []vector) {
	ids := make(map[string]int32)
	var df []int
	var lastDoc []int32 // per term id, the last document (+1) that counted it in df
	docIDs := make([][]int32, len(docs))
	for k, d := range docs {
		dids := make([]int32, len(d))
		for x, t := range d {
			id, ok := ids[t]
			if !ok {
				id = int32(len(df))
				ids[t] = id
				df = append(df, 0)
				lastDoc = append(lastDoc, 0)
			}
			dids[x] = id
			if lastDoc[id] != int32(k+1) {
				lastDoc[id] = int32(k + 1)
				df[id]++
			}
		}
		docIDs[k] = dids
	}
	n := float64(len(docs))
	var scratch []int32
	// build makes the vector of a document's term ids: each id once, by
	// id, weighted by its count (tf) times its idf, then normalised.
	build := func(dids []int32) vector {
		scratch = append(scratch[:0], dids...)
		slices.Sort(scratch)
		v := make(vector, 0, len(scratch))
		for i := 0; i < len(scratch); {
			j := i + 1
			for j < len(scratch) && scratch[j] == scratch[i] {
				j++
			}
			id := scratch[i]
			v = append(v, weight{id, float64(j-i) * math.Log(1+n/float64(df[id]))})
			i = j
		}
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
	for _, d := range docIDs {
		vs = append(vs, build(d))
	}
	for _, d := range extra {
		var dids []int32
		for _, t := range d {
			if id, ok := ids[t]; ok {
				dids = append(dids, id)
			}
		}
		xs = append(xs, build(dids))
	}
	return vs, xs
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
// cosine-similarity graph of vs, until the scores move less than tolerance.
// Scores sum to 1.
func centrality(vs []vector) []float64 {
	n := len(vs)
	if n == 0 {
		return nil
	}
	sim := make([]float64, n*n) // sim[i*n+j], symmetric
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			s := cosine(vs[i], vs[j])
			sim[i*n+j], sim[j*n+i] = s, s
			out[i] += s
			out[j] += s
		}
	}
	// The graph as lists: for each i, the j with an edge to it (in order of
	// j, as the sum runs) and the weight sim/out of the edge; and the
	// sentences without edges. The sums below add the same terms in the
	// same order as the full matrix loop would.
	type edge struct {
		j int
		w float64
	}
	inEdges := make([][]edge, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if s := sim[j*n+i]; s > 0 {
				inEdges[i] = append(inEdges[i], edge{j, s / out[j]})
			}
		}
	}
	var dangles []int
	for j := range out {
		if out[j] == 0 {
			dangles = append(dangles, j)
		}
	}
	score := make([]float64, n)
	next := make([]float64, n)
	for i := range score {
		score[i] = 1 / float64(n)
	}
	for iter := 0; iter < maxIterations; iter++ {
		var dangling float64
		for _, j := range dangles {
			dangling += score[j]
		}
		var diff float64
		for i := 0; i < n; i++ {
			var in float64
			for _, e := range inEdges[i] {
				in += e.w * score[e.j]
			}
			next[i] = (1-damping)/float64(n) + damping*(in+dangling/float64(n))
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
}

// rank scores the sentences texts (at most maxRanked of them, the first
// ones) and returns them best first (ties keep text order), with their
// vectors in text order.
func rank(texts []string, title string, rw rankWeights) ([]scored, []vector) {
	if len(texts) > maxRanked {
		texts = texts[:maxRanked]
	}
	docs := make([][]string, len(texts))
	for i, t := range texts {
		docs[i] = terms(t)
	}
	vs, xs := vectorize(docs, terms(title))
	c := centrality(vs)
	var maxC float64
	for _, x := range c {
		maxC = math.Max(maxC, x)
	}
	out := make([]scored, len(texts))
	for i := range texts {
		s := rw.lead / (1 + float64(i)/rw.leadScale)
		if maxC > 0 {
			s += rw.central * c[i] / maxC
		}
		s += rw.title * cosine(vs[i], xs[0])
		if rw.cue > 0 && hasCue(docs[i]) {
			s += rw.cue
		}
		if len(vs[i]) == 0 {
			s = 0 // no content words at all
		}
		out[i] = scored{i, s}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].score > out[b].score })
	return out, vs
}

// cueStems are stemmed words that mark the news in a sentence: what was
// announced, agreed, decided or condemned (the cue method of Edmundson).
var cueStems = setOf("announc", "agre", "decid", "launch", "approv", "sign",
	"condemn", "adopt", "deploy", "endors", "establish", "appoint")

func hasCue(doc []string) bool {
	for _, t := range doc {
		if cueStems[t] {
			return true
		}
	}
	return false
}

package summary

import "slices"

// acMachine is an Aho–Corasick automaton over folded runes: one pass over a
// text finds every occurrence of every pattern.
//
// It is laid out for scanning large pattern sets without cache misses: the
// states are numbered breadth first, so the states a scan is in most
// (those near the root) are close together; what a step needs of a state
// (its edges, its failure link and its first output) is one 16-byte
// record; the edges of a state are adjacent, sorted by rune. The root steps
// through a table for ASCII, and so do the next states in that order
// (failures resolved), up to maxDense of them: states 1 to nDense.
type acMachine struct {
	states []acState
	edges  []acEdge
	root   [128]int32   // the root's ASCII transitions, 0 when none
	dense  [][128]int32 // state 1+i's ASCII transitions, failures resolved (i < nDense)
	nDense uint32
	// alpha has, for each ASCII rune, whether a pattern holds it: one that
	// none does sends every state back to the root.
	alpha [128]bool
	// outs are the patterns a scan reports, in lists: a state's out is
	// the first of its list (-1: none), its own patterns, then those of
	// its failure chain, each state's list ending in (sharing) that of
	// the next state on its failure chain that has patterns.
	outs []acOut
	plen []int32 // length in runes of each pattern
}

// acState is what a scan step needs of a state.
type acState struct {
	// Its edges: edges[edges:end]; or, when end < 0, its only edge, on
	// rune edges to state ^end (most states have one: no second cache
	// line to read).
	edges, end int32
	fail       int32 // failure link
	// out is the first of the state's patterns in outs, -1 if none.
	out int32
}

// acOut is a pattern in a list of outs.
type acOut struct {
	pat  int32
	next int32 // the next in the list, -1 at the end
}

// acEdge is a transition: on rune r to state to.
type acEdge struct {
	r  rune
	to int32
}

// child returns the state s goes to on r, if it has that edge.
func (m *acMachine) child(s int32, r rune) (int32, bool) {
	st := &m.states[s]
	if st.end < 0 {
		return ^st.end, st.edges == r
	}
	es := m.edges[st.edges:st.end]
	if len(es) <= 8 {
		for _, e := range es {
			if e.r == r {
				return e.to, true
			}
		}
		return 0, false
	}
	lo, hi := 0, len(es)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if es[mid].r < r {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(es) && es[lo].r == r {
		return es[lo].to, true
	}
	return 0, false
}

// edgesOf returns the edges of state s.
func (m *acMachine) edgesOf(s int32) []acEdge {
	st := &m.states[s]
	if st.end < 0 {
		return []acEdge{{st.edges, ^st.end}}
	}
	return m.edges[st.edges:st.end]
}

// maxDense is how many states (the first, breadth first) step through a
// table for ASCII: 512 bytes each, 512 KiB at most. 10,000 terms of random
// letters have some 700 states of one or two runes.
const maxDense = 1024

// newACMachine builds the automaton for patterns; pattern i is reported as i.
// Empty patterns are ignored.
func newACMachine(patterns [][]rune) *acMachine {
	// The trie, in insertion order: children lists each state's edges.
	type edge struct {
		r     rune
		state int32
	}
	children := [][]edge{nil}
	next := make(map[uint64]int32) // state<<32 | rune → child
	key := func(s int32, r rune) uint64 { return uint64(uint32(s))<<32 | uint64(uint32(r)) }
	out := [][]int32{nil} // patterns that end at each state
	m := &acMachine{plen: make([]int32, len(patterns))}
	for i, p := range patterns {
		m.plen[i] = int32(len(p))
		if len(p) == 0 {
			continue
		}
		s := int32(0)
		for _, r := range p {
			if r >= 0 && r < 128 {
				m.alpha[r] = true
			}
			c, ok := next[key(s, r)]
			if !ok {
				c = int32(len(children))
				next[key(s, r)] = c
				children = append(children, nil)
				out = append(out, nil)
				children[s] = append(children[s], edge{r, c})
			}
			s = c
		}
		out[s] = append(out[s], int32(i))
	}
	n := len(children)
	// Number the states breadth first, each state's children by rune (so
	// the root's ASCII children come first, from 1 on).
	id := make([]int32, n) // trie state → new number
	order := make([]int32, 0, n)
	order = append(order, 0)
	for k := 0; k < len(order); k++ {
		s := order[k]
		es := children[s]
		slices.SortFunc(es, func(a, b edge) int { return int(a.r) - int(b.r) })
		for _, e := range es {
			id[e.state] = int32(len(order))
			order = append(order, e.state)
		}
	}
	m.states = make([]acState, n)
	for k, s := range order {
		st := &m.states[k]
		if es := children[s]; len(es) == 1 {
			st.edges, st.end = es[0].r, ^id[es[0].state]
			continue
		}
		st.edges = int32(len(m.edges))
		for _, e := range children[s] {
			m.edges = append(m.edges, acEdge{e.r, id[e.state]})
		}
		st.end = int32(len(m.edges))
	}
	for _, e := range children[0] {
		if e.r < 0 || e.r >= 128 {
			break
		}
		m.root[e.r] = id[e.state]
	}
	// Failure links, breadth first (the numbering's order).
	for s := int32(0); s < int32(n); s++ {
		st := m.states[s]
		for _, e := range m.edgesOf(s) {
			fail := int32(0) // the root's children fail to the root
			for f := st.fail; s != 0; f = m.states[f].fail {
				if t, ok := m.child(f, e.r); ok {
					fail = t
					break
				}
				if f == 0 {
					break
				}
			}
			m.states[e.to].fail = fail
		}
	}
	// Every state's failure comes before it (a shorter string), so one
	// pass in order links each state's patterns to those of its failure.
	m.states[0].out = -1 // the root has no patterns (none is empty)
	for k := 1; k < n; k++ {
		st := &m.states[k]
		st.out = m.states[st.fail].out
		ps := out[order[k]]
		for i := len(ps) - 1; i >= 0; i-- {
			m.outs = append(m.outs, acOut{ps[i], st.out})
			st.out = int32(len(m.outs) - 1)
		}
	}
	// The first states' rows (the root's children, then theirs: the
	// states a scan is in most, where a large pattern set gives a state
	// many edges): on r, its child if it has one, else where its failure
	// goes on r. A failure comes before its state, so its row is ready.
	m.nDense = uint32(min(n-1, maxDense))
	m.dense = make([][128]int32, m.nDense)
	for i := range m.dense {
		c := int32(i + 1)
		row := &m.dense[i]
		f := m.states[c].fail
		for r := range row {
			switch to, ok := m.child(c, rune(r)); {
			case ok:
				row[r] = to
			case f == 0:
				row[r] = m.root[r]
			default:
				row[r] = m.dense[f-1][r]
			}
		}
	}
	return m
}

// scan calls fn(pattern, end) for every occurrence of a pattern in text,
// where end is the index just past its last rune; the occurrence starts at
// end - m.plen[pattern]. Occurrences come in order of their end. fn returns
// false to stop the scan.
func (m *acMachine) scan(text []rune, fn func(pat int32, end int) bool) {
	for _, o := range m.scanAll(text, nil) {
		if !fn(o.pat, int(o.end)) {
			return
		}
	}
}

// acHit is one occurrence: a pattern and the index just past its last rune.
type acHit struct {
	pat, end int32
}

// scanAll appends every occurrence of a pattern in text to out, in order of
// their end (as scan reports them).
func (m *acMachine) scanAll(text []rune, out []acHit) []acHit {
	s := int32(0)
	states := m.states
	for i, r := range text {
		for {
			if uint32(r) < 128 {
				if !m.alpha[r] {
					s = 0 // no pattern holds r, and the root has no patterns
					goto next
				}
				if s == 0 {
					s = m.root[r]
					break
				}
				if uint32(s-1) < m.nDense {
					s = m.dense[s-1][r]
					break
				}
			}
			// m.child, inline.
			st := &states[s]
			if st.end < 0 {
				if st.edges == r {
					s = ^st.end
					goto found
				}
			} else if es := m.edges[st.edges:st.end]; len(es) <= 8 {
				for _, e := range es {
					if e.r == r {
						s = e.to
						goto found
					}
				}
			} else if c, ok := m.child(s, r); ok {
				s = c
				break
			}
			if s == 0 {
				break // no edge from the root: stay there
			}
			s = st.fail
		}
	found:
		for k := states[s].out; k >= 0; k = m.outs[k].next {
			out = append(out, acHit{m.outs[k].pat, int32(i + 1)})
		}
	next:
	}
	return out
}

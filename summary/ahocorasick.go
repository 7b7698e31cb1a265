package summary

import "sort"

// acMachine is an Aho–Corasick automaton over folded runes: one pass over a
// text finds every occurrence of every pattern.
//
// While building, transitions live in a map; once built they are laid out
// flat: the edges of state s are edges[edgeAt[s]:edgeAt[s+1]], sorted by
// rune, so a step is a short scan or a binary search, not a hash. The
// patterns that end at a state are laid out flat too.
type acMachine struct {
	root   [128]int32       // ASCII transitions of the root, 0 when none
	next   map[uint64]int32 // other transitions while building, keyed by state<<32 | rune
	edgeAt []int32          // per state, the start of its edges; one extra at the end
	edges  []acEdge
	fail   []int32   // failure link of each state
	dict   []int32   // nearest state on the failure chain with outputs, -1 if none
	out    [][]int32 // patterns that end at each state, while building
	outAt  []int32   // per state, the start of its patterns in outPat; one extra at the end
	outPat []int32
	// firstOut is, per state, the first state with patterns on its
	// failure chain, itself included (<= 0: none): where a scan starts
	// reporting.
	firstOut []int32
	plen     []int32 // length in runes of each pattern
	// dense holds, for each child of the root reached by an ASCII rune,
	// its full ASCII transitions, failures resolved: the states a scan is
	// in most, stepped without a search. denseAt[s] is s's row, -1 if none.
	denseAt []int32
	dense   [][128]int32
}

// acEdge is a transition: on rune r to state to.
type acEdge struct {
	r  rune
	to int32
}

func acKey(state int32, r rune) uint64 { return uint64(uint32(state))<<32 | uint64(uint32(r)) }

func (m *acMachine) child(state int32, r rune) (int32, bool) {
	if state == 0 && r >= 0 && r < 128 {
		c := m.root[r]
		return c, c != 0
	}
	if m.next != nil {
		c, ok := m.next[acKey(state, r)]
		return c, ok
	}
	es := m.edges[m.edgeAt[state]:m.edgeAt[state+1]]
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

func (m *acMachine) addChild(state int32, r rune) int32 {
	c := int32(len(m.fail))
	m.fail = append(m.fail, 0)
	m.dict = append(m.dict, -1)
	m.out = append(m.out, nil)
	if state == 0 && r >= 0 && r < 128 {
		m.root[r] = c
	} else {
		m.next[acKey(state, r)] = c
	}
	return c
}

// newACMachine builds the automaton for patterns; pattern i is reported as i.
// Empty patterns are ignored.
func newACMachine(patterns [][]rune) *acMachine {
	m := &acMachine{
		next: make(map[uint64]int32),
		fail: []int32{0},
		dict: []int32{-1},
		out:  [][]int32{nil},
		plen: make([]int32, len(patterns)),
	}
	// children lists each state's transitions in insertion order, so the
	// breadth-first pass below is deterministic without iterating the map.
	type edge struct {
		r     rune
		state int32
	}
	children := [][]edge{nil}
	for i, p := range patterns {
		m.plen[i] = int32(len(p))
		if len(p) == 0 {
			continue
		}
		s := int32(0)
		for _, r := range p {
			c, ok := m.child(s, r)
			if !ok {
				c = m.addChild(s, r)
				children = append(children, nil)
				children[s] = append(children[s], edge{r, c})
			}
			s = c
		}
		m.out[s] = append(m.out[s], int32(i))
	}
	queue := make([]int32, 0, len(m.fail))
	for _, e := range children[0] {
		queue = append(queue, e.state) // fail = 0 already
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range children[s] {
			f := m.fail[s]
			for {
				if c, ok := m.child(f, e.r); ok {
					m.fail[e.state] = c
					break
				}
				if f == 0 {
					break
				}
				f = m.fail[f]
			}
			if t := m.fail[e.state]; len(m.out[t]) > 0 {
				m.dict[e.state] = t
			} else {
				m.dict[e.state] = m.dict[t]
			}
			queue = append(queue, e.state)
		}
	}
	// Lay the transitions out flat, sorted by rune.
	m.edgeAt = make([]int32, len(children)+1)
	for st, es := range children {
		sort.Slice(es, func(i, j int) bool { return es[i].r < es[j].r })
		m.edgeAt[st] = int32(len(m.edges))
		for _, e := range es {
			if st == 0 && e.r >= 0 && e.r < 128 {
				continue // in m.root
			}
			m.edges = append(m.edges, acEdge{e.r, e.state})
		}
	}
	m.edgeAt[len(children)] = int32(len(m.edges))
	m.next = nil
	// And the patterns of each state.
	m.outAt = make([]int32, len(m.out)+1)
	m.firstOut = make([]int32, len(m.out))
	for st, ps := range m.out {
		m.outAt[st] = int32(len(m.outPat))
		m.outPat = append(m.outPat, ps...)
		if len(ps) > 0 {
			m.firstOut[st] = int32(st)
		} else {
			m.firstOut[st] = m.dict[st]
		}
	}
	m.outAt[len(m.out)] = int32(len(m.outPat))
	m.out = nil
	// The root's children's rows: on r, its child if it has one, else
	// where its failure (the root) goes on r.
	m.denseAt = make([]int32, len(m.fail))
	for i := range m.denseAt {
		m.denseAt[i] = -1
	}
	for _, c := range m.root {
		if c == 0 || m.denseAt[c] >= 0 {
			continue
		}
		var row [128]int32
		for r := range row {
			if to, ok := m.child(c, rune(r)); ok {
				row[r] = to
			} else {
				row[r] = m.root[r]
			}
		}
		m.denseAt[c] = int32(len(m.dense))
		m.dense = append(m.dense, row)
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
	for i, r := range text {
		if r >= 0 && r < 128 {
			if d := m.denseAt[s]; d >= 0 {
				s = m.dense[d][r]
				goto step
			}
		}
		for {
			if s == 0 {
				// The root's transitions: ASCII in a table; none means
				// staying at the root.
				if r >= 0 && r < 128 {
					s = m.root[r]
				} else if c, ok := m.child(0, r); ok {
					s = c
				}
				break
			}
			if c, ok := m.child(s, r); ok {
				s = c
				break
			}
			s = m.fail[s]
		}
	step:
		for t := m.firstOut[s]; t > 0; t = m.dict[t] {
			for _, p := range m.outPat[m.outAt[t]:m.outAt[t+1]] {
				out = append(out, acHit{p, int32(i + 1)})
			}
		}
	}
	return out
}

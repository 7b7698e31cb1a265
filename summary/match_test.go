package summary

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/natowatch/natowatch/release"
)

func TestNewMatcherErrors(t *testing.T) {
	tests := []struct {
		name    string
		watches []Watch
		want    error
	}{
		{"no terms", []Watch{{Name: "a"}}, ErrNoTerms},
		{"empty term", []Watch{{Name: "a", Terms: []string{"NATO", " "}}}, ErrEmptyTerm},
		{"empty exclude", []Watch{{Name: "a", Terms: []string{"NATO"}, Exclude: []string{""}}}, ErrEmptyTerm},
		{"duplicate name", []Watch{{Name: "a", Terms: []string{"x"}}, {Name: "a", Terms: []string{"y"}}}, ErrDuplicateName},
		{"empty name", []Watch{{Name: "", Terms: []string{"x"}}}, ErrEmptyName},
		{"ok", []Watch{{Name: "a", Terms: []string{"x"}}, {Name: "b", Terms: []string{"x"}}}, nil},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMatcher(tt.watches)
			if tt.want == nil {
				if err != nil || m == nil {
					t.Fatalf("NewMatcher: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewMatcher error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewMatcherReportsAll(t *testing.T) {
	_, err := NewMatcher([]Watch{{Name: "a"}, {Name: "a", Terms: []string{""}}})
	for _, want := range []error{ErrNoTerms, ErrDuplicateName, ErrEmptyTerm} {
		if !errors.Is(err, want) {
			t.Errorf("error %v does not report %v", err, want)
		}
	}
}

func TestMatch(t *testing.T) {
	type want struct {
		watch, term, matched string
		sentence             int // 0: the title, 1...: the body's sentences
	}
	tests := []struct {
		name    string
		watches []Watch
		title   string
		body    []string
		want    []want
	}{
		{
			name:    "case-insensitive",
			watches: []Watch{{Name: "nato", Terms: []string{"nato"}}},
			title:   "Meeting of Defence Ministers",
			body:    []string{"Ministers met at Nato headquarters."},
			want:    []want{{"nato", "nato", "Nato", 1}},
		},
		{
			name:    "not inside a word",
			watches: []Watch{{Name: "nato", Terms: []string{"NATO"}}},
			body:    []string{"The SENATOR spoke. NATOs are not a word. NATO's partners met."},
			want:    []want{{"nato", "NATO", "NATO", 3}},
		},
		{
			name:    "word next to a hyphen",
			watches: []Watch{{Name: "cyber", Terms: []string{"cyber"}}},
			body:    []string{"Cyberspace is a domain. Cyber-attacks are threats."},
			want:    []want{{"cyber", "cyber", "Cyber", 2}},
		},
		{
			name:    "title first",
			watches: []Watch{{Name: "korea", Terms: []string{"Korea"}}},
			title:   "Press point in the Republic of Korea",
			body:    []string{"Korea is a partner."},
			want:    []want{{"korea", "Korea", "Korea", 0}},
		},
		{
			name:    "phrase across whitespace",
			watches: []Watch{{Name: "nk", Terms: []string{"North  Korea"}}},
			body:    []string{"The threat posed by North\nKorea is real."},
			want:    []want{{"nk", "North  Korea", "North Korea", 1}},
		},
		{
			name:    "diacritics in the text",
			watches: []Watch{{Name: "dsg", Terms: []string{"Geoana"}}},
			body:    []string{"Deputy Secretary General Mircea Geoană spoke."},
			want:    []want{{"dsg", "Geoana", "Geoană", 1}},
		},
		{
			name:    "diacritics in the term",
			watches: []Watch{{Name: "dsg", Terms: []string{"Geoană"}}},
			body:    []string{"Mircea GEOANA spoke."},
			want:    []want{{"dsg", "Geoană", "GEOANA", 1}},
		},
		{
			name:    "combining marks",
			watches: []Watch{{Name: "dsg", Terms: []string{"Geoană"}}},
			body:    []string{"Mircea Geoa\u0306na spoke."},
			want:    []want{{"dsg", "Geoană", "Geoa\u0306na", 1}},
		},
		{
			name:    "sharp s expands",
			watches: []Watch{{Name: "street", Terms: []string{"Strasse"}}},
			body:    []string{"They met on the Hauptstraße today."},
			want:    nil,
		},
		{
			name:    "sharp s whole word",
			watches: []Watch{{Name: "street", Terms: []string{"strasse"}}},
			body:    []string{"They met on the Straße today."},
			want:    []want{{"street", "strasse", "Straße", 1}},
		},
		{
			name:    "typographic apostrophe",
			watches: []Watch{{Name: "pos", Terms: []string{"NATO's partners"}}},
			body:    []string{"NATO’s partners met."},
			want:    []want{{"pos", "NATO's partners", "NATO’s partners", 1}},
		},
		{
			name: "exclude vetoes from the body",
			watches: []Watch{
				{Name: "drones", Terms: []string{"drone", "drones"}, Exclude: []string{"drone racing"}},
				{Name: "korea", Terms: []string{"Korea"}},
			},
			title: "Drones over Korea",
			body:  []string{"Nothing here.", "A drone racing league was launched."},
			want:  []want{{"korea", "Korea", "Korea", 0}},
		},
		{
			name:    "exclude in the title",
			watches: []Watch{{Name: "drones", Terms: []string{"drone"}, Exclude: []string{"exercise"}}},
			title:   "Exercise news",
			body:    []string{"A drone flew."},
			want:    nil,
		},
		{
			name:    "earliest then longest in the first sentence",
			watches: []Watch{{Name: "nat", Terms: []string{"Atlantic", "North Atlantic Treaty", "Treaty"}}},
			body:    []string{"Nothing here. The North Atlantic Treaty was signed."},
			want:    []want{{"nat", "North Atlantic Treaty", "North Atlantic Treaty", 2}},
		},
		{
			name: "watch order and shared terms",
			watches: []Watch{
				{Name: "b", Terms: []string{"missile"}, Role: "123"},
				{Name: "a", Terms: []string{"Missile", "ballistic"}},
			},
			body: []string{"North Korea tests ballistic missiles. A missile flew."},
			want: []want{{"b", "missile", "missile", 2}, {"a", "ballistic", "ballistic", 1}},
		},
		{
			name:    "punctuation term",
			watches: []Watch{{Name: "us", Terms: []string{"U.S."}}},
			body:    []string{"The U.S.-led coalition met."},
			want:    []want{{"us", "U.S.", "U.S.", 1}},
		},
		{
			name:    "no match",
			watches: []Watch{{Name: "x", Terms: []string{"Arctic"}}},
			title:   "Baltic",
			body:    []string{"Nothing."},
			want:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMatcher(tt.watches)
			if err != nil {
				t.Fatal(err)
			}
			r := &release.Release{Title: tt.title, Body: tt.body}
			sentences := []string{tt.title} // "" when there is none; never matched
			for _, p := range tt.body {
				sentences = append(sentences, Sentences(p)...)
			}
			got := m.Match(r)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d matches %+v, want %d", len(got), got, len(tt.want))
			}
			roles := map[string]string{}
			for _, w := range tt.watches {
				roles[w.Name] = w.Role
			}
			for i, g := range got {
				w := tt.want[i]
				if g.Watch != w.watch || g.Term != w.term || g.Sentence != sentences[w.sentence] || g.Role != roles[w.watch] {
					t.Errorf("match %d = %+v, want watch %q term %q in %q", i, g, w.watch, w.term, sentences[w.sentence])
				}
				if g.Start < 0 || g.End > len(g.Sentence) || g.Start > g.End {
					t.Fatalf("match %d: offsets %d:%d outside %q", i, g.Start, g.End, g.Sentence)
				}
				if s := g.Sentence[g.Start:g.End]; s != w.matched {
					t.Errorf("match %d: Sentence[Start:End] = %q, want %q", i, s, w.matched)
				}
			}
		})
	}
}

// TestACMachine compares the automaton with a naive search.
func TestACMachine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abcă ")
	randRunes := func(n int) []rune {
		out := make([]rune, n)
		for i := range out {
			out[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return out
	}
	for round := 0; round < 200; round++ {
		pats := make([][]rune, 1+rng.IntN(8))
		for i := range pats {
			pats[i] = randRunes(1 + rng.IntN(4))
		}
		text := randRunes(rng.IntN(40))
		type occ struct{ pat, end int }
		var want, got []occ
		for end := 1; end <= len(text); end++ {
			for i, p := range pats {
				if end >= len(p) && slices.Equal(text[end-len(p):end], p) {
					want = append(want, occ{i, end})
				}
			}
		}
		newACMachine(pats).scan(text, func(p int32, end int) bool {
			got = append(got, occ{int(p), end})
			return true
		})
		cmp := func(a, b occ) int {
			if a.end != b.end {
				return a.end - b.end
			}
			return a.pat - b.pat
		}
		slices.SortFunc(want, cmp)
		slices.SortFunc(got, cmp)
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q in %q:\n got %v\nwant %v", runesList(pats), string(text), got, want)
		}
	}
}

func runesList(ps [][]rune) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func TestFoldRune(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Geoană", "geoana"},
		{"ȘTEFAN Țară", "stefan tara"},
		{"Łódź", "lodz"},
		{"Straße", "strasse"},
		{"Kelvin\u212A", "kelvink"},
		{"NATO’s", "nato's"},
		{"a\u0301b", "ab"},
		{"  x \n\t y ", " x y "},
	}
	for _, tt := range tests {
		if got := string(foldString(tt.in)); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRegexTerms(t *testing.T) {
	m, err := NewMatcher([]Watch{
		{Name: "missiles", Terms: []string{`/ballistic missiles?/`}},
		{Name: "art5", Terms: []string{"collective defence", `/article\s+5\b/`}, Exclude: []string{`/exercise/`}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &release.Release{Title: "Allies meet", Body: []string{"North Korea launched a Ballistic Missile. Allies discussed Article 5 and collective defence."}}
	got := m.Match(r)
	if len(got) != 2 {
		t.Fatalf("matches %+v", got)
	}
	if got[0].Sentence[got[0].Start:got[0].End] != "Ballistic Missile" {
		t.Errorf("regex match %q", got[0].Sentence[got[0].Start:got[0].End])
	}
	if got[1].Sentence[got[1].Start:got[1].End] != "Article 5" {
		t.Errorf("earliest of regex and phrase: %q", got[1].Sentence[got[1].Start:got[1].End])
	}
	r.Body = append(r.Body, "The exercise ends on Friday.")
	if got := m.Match(r); len(got) != 1 {
		t.Errorf("a regex exclude did not veto: %+v", got)
	}
	for _, bad := range []string{"/(/", "/a*/"} {
		if CheckTerm(bad) == nil {
			t.Errorf("CheckTerm(%q) accepted", bad)
		}
		if _, err := NewMatcher([]Watch{{Name: "x", Terms: []string{bad}}}); err == nil {
			t.Errorf("NewMatcher accepted %q", bad)
		}
	}
}

// TestACMachineOrder checks the order of the automaton's occurrences: by
// end, then longest first, then in pattern order; with an alphabet that
// reaches the root's and its children's ASCII tables, their edges and other
// runes.
func TestACMachineOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("abcz 9-ăß日")
	randRunes := func(n int) []rune {
		out := make([]rune, n)
		for i := range out {
			out[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return out
	}
	for round := 0; round < 500; round++ {
		pats := make([][]rune, 1+rng.IntN(40))
		for i := range pats {
			pats[i] = randRunes(rng.IntN(6))
		}
		text := randRunes(rng.IntN(200))
		var want []acHit
		for end := 1; end <= len(text); end++ {
			var at []acHit
			for i, p := range pats {
				if len(p) > 0 && end >= len(p) && slices.Equal(text[end-len(p):end], p) {
					at = append(at, acHit{int32(i), int32(end)})
				}
			}
			slices.SortStableFunc(at, func(a, b acHit) int { return len(pats[b.pat]) - len(pats[a.pat]) })
			want = append(want, at...)
		}
		got := newACMachine(pats).scanAll(text, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q in %q:\n got %v\nwant %v", runesList(pats), string(text), got, want)
		}
	}
}

// naiveOccurrences returns the whole-word occurrences of pats in text, found
// one start at a time, sorted by end, then pattern.
func naiveOccurrences(pats [][]rune, text []rune) []acHit {
	var out []acHit
	for end := 1; end <= len(text); end++ {
		for i, p := range pats {
			if len(p) > 0 && end >= len(p) && slices.Equal(text[end-len(p):end], p) && wordBounded(text, end-len(p), end) {
				out = append(out, acHit{int32(i), int32(end)})
			}
		}
	}
	return out
}

// sortedHits sorts occurrences by end, then pattern.
func sortedHits(hs []acHit) []acHit {
	hs = slices.Clone(hs)
	slices.SortFunc(hs, func(a, b acHit) int {
		if a.end != b.end {
			return int(a.end - b.end)
		}
		return int(a.pat - b.pat)
	})
	return hs
}

// TestOccurrences compares the whole-word occurrences the matcher finds
// (through its word index and its automaton) with a naive search: patterns
// and texts of words, gaps of one or more runes (spaces, punctuation, runes
// beyond ASCII), patterns that start or end with a gap.
func TestOccurrences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []rune("ab9 .-'ă日…")
	randRunes := func(n int) []rune {
		out := make([]rune, n)
		for i := range out {
			out[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return out
	}
	for round := 0; round < 3000; round++ {
		var pats [][]rune
		seen := map[string]bool{}
		for k := 1 + rng.IntN(30); k > 0; k-- {
			p := randRunes(1 + rng.IntN(6))
			if !seen[string(p)] {
				seen[string(p)] = true
				pats = append(pats, p)
			}
		}
		text := randRunes(rng.IntN(80))
		m := &Matcher{words: newWordIndex(pats), plen: make([]int32, len(pats))}
		others := make([][]rune, len(pats))
		for i, p := range pats {
			m.plen[i] = int32(len(p))
			if !isWordRune(p[0]) {
				others[i] = p
			}
		}
		if round%2 == 0 {
			m.ac = newACMachine(others) // else: only the word index's
		} else {
			for i := range pats {
				if !isWordRune(pats[i][0]) {
					pats[i] = nil
				}
			}
		}
		got := sortedHits(second(m.occurrences(text, nil, nil)))
		want := naiveOccurrences(pats, text)
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q in %q:\n got %v\nwant %v", runesList(pats), string(text), got, want)
		}
	}
}

func second[A, B any](_ A, b B) B { return b }

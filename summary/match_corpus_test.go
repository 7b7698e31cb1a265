package summary

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

const matchGolden = "testdata/match-corpus.golden"

// watchSpec is a generated watch.
type watchSpec struct {
	Name, Role     string
	Terms, Exclude []string
}

// genWatches makes n watches from the words of rs: words and phrases as
// they stand, in capitals, with diacritics, one letter long, regular
// expressions, made-up words, excludes; names and roles alike.
func genWatches(rng *rand.Rand, rs []*release.Release, n int) []watchSpec {
	var vocab []string
	for _, r := range rs {
		vocab = append(vocab, strings.Fields(r.Text())...)
	}
	var out []watchSpec
	for w := 0; w < n; w++ {
		var terms, excl []string
		for k := 1 + rng.IntN(6); k > 0; k-- {
			var t string
			switch rng.IntN(10) {
			case 0:
				t = "/" + strings.Trim(vocab[rng.IntN(len(vocab))], "()[]*+?.\\{}|^$") + "[a-z]*/"
				if t == "/[a-z]*/" {
					t = "/nato/"
				}
			case 1, 2:
				i := rng.IntN(len(vocab) - 2)
				t = strings.Join(vocab[i:i+1+rng.IntN(2)], " ")
			case 3:
				t = strings.ToUpper(vocab[rng.IntN(len(vocab))])
			case 4:
				t = strings.NewReplacer("a", "ă", "s", "ș").Replace(vocab[rng.IntN(len(vocab))])
			case 5:
				t = fmt.Sprintf("zq%dq", rng.IntN(1000))
			case 6:
				t = vocab[rng.IntN(len(vocab))][:1]
			default:
				t = vocab[rng.IntN(len(vocab))]
			}
			if strings.TrimSpace(t) == "" || strings.Trim(t, "“”\"'.,;:!?()-–—‘’") == "" && rng.IntN(2) == 0 {
				t = "nato"
			}
			terms = append(terms, t)
		}
		if rng.IntN(4) == 0 {
			excl = append(excl, vocab[rng.IntN(len(vocab))])
		}
		if rng.IntN(8) == 0 {
			excl = append(excl, "/"+fmt.Sprint(rng.IntN(100))+"/")
		}
		out = append(out, watchSpec{Name: fmt.Sprint("w", w), Role: "r", Terms: terms, Exclude: excl})
	}
	return out
}

// matchHash is a short hash of what Match made of a release.
func matchHash(ms []release.Match) string {
	b, err := json.Marshal(ms)
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// TestMatchCorpus checks Match over generated releases and watch lists
// against hashes of what the code made of them before it was made faster
// (go test -update rewrites them): the order of occurrences, ties between
// them, vetoes and regular expressions included.
func TestMatchCorpus(t *testing.T) {
	rs := genCorpus(t, 600, 44, true)
	step := 1
	if testing.Short() && !*update {
		step = 10 // one case in ten
	}
	var got []string
	for round := 0; round < 8; round++ {
		rng := rand.New(rand.NewPCG(uint64(round), 3))
		specs := genWatches(rng, rs, []int{1, 5, 50, 500}[round%4])
		ws := make([]Watch, len(specs))
		for i, s := range specs {
			ws[i] = Watch{Name: s.Name, Terms: s.Terms, Exclude: s.Exclude, Role: s.Role}
		}
		m, err := NewMatcher(ws)
		if err != nil {
			got = append(got, "error: "+err.Error())
			continue
		}
		for i, r := range rs {
			if i%(round+1) == 0 {
				if len(got)%step != 0 {
					got = append(got, "") // not checked
					continue
				}
				got = append(got, matchHash(m.Match(r)))
			}
		}
	}
	if *update {
		if err := os.WriteFile(matchGolden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(matchGolden)
	if err != nil {
		t.Fatalf("%v (run go test ./summary -update to create it)", err)
	}
	want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(want) != len(got) {
		t.Fatalf("%s has %d hashes, want %d", matchGolden, len(want), len(got))
	}
	bad := 0
	for i := range got {
		if got[i] != "" && got[i] != want[i] {
			if bad++; bad <= 5 {
				t.Errorf("case %d: Match differs from %s (%s, want %s)", i, matchGolden, got[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ", bad, len(got))
	}
}

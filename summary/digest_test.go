package summary

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

const digestGolden = "testdata/digest-corpus.golden"

// digestCorpus is the corpus TestDigestCorpus checks: typical releases and
// damaged ones.
func digestCorpus(t testing.TB) []*release.Release {
	return append(genCorpus(t, 1000, 42, false), genCorpus(t, 1000, 43, true)...)
}

// digestHash is a short hash of what Digest made of a release.
func digestHash(sum []string, qs []release.Quote) string {
	b, err := json.Marshal(struct {
		S []string
		Q []release.Quote
	}{sum, qs})
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// TestDigestCorpus checks Digest over 2,000 generated releases against
// hashes of what the code made of them before it was made faster (go test
// -update rewrites them, after a change that means to change the output),
// and that Summarize and Quotes agree with Digest. The goldens and the
// tests above see too few releases to catch a change in the order of a
// floating-point sum, which decides ties between sentences.
func TestDigestCorpus(t *testing.T) {
	rs := digestCorpus(t)
	step := 1
	if testing.Short() && !*update {
		step = 10 // one release in ten
	}
	got := make([]string, len(rs))
	for i, r := range rs {
		if i%step != 0 {
			continue
		}
		sum, qs := Digest(r)
		got[i] = digestHash(sum, qs)
		if i%7 == 0 { // the others alone, now and then
			if s := Summarize(r); !reflect.DeepEqual(s, sum) {
				t.Errorf("release %d: Summarize %q, Digest %q", i, s, sum)
			}
			if q := Quotes(r); !reflect.DeepEqual(q, qs) {
				t.Errorf("release %d: Quotes %q, Digest %q", i, q, qs)
			}
		}
	}
	if *update {
		if err := os.WriteFile(digestGolden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(digestGolden)
	if err != nil {
		t.Fatalf("%v (run go test ./summary -update to create it)", err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if len(want) != len(got) {
		t.Fatalf("%s has %d hashes, want %d", digestGolden, len(want), len(got))
	}
	bad := 0
	for i := range got {
		if got[i] != "" && got[i] != want[i] {
			if bad++; bad <= 5 {
				sum, qs := Digest(rs[i])
				t.Errorf("release %d (%s): Digest differs from %s:\n%s\nsummary %q\nquotes %q", i, got[i], digestGolden, describe(rs[i]), sum, qs)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d releases differ", bad, len(got))
	}
}

// describe shows a release for a failure message.
func describe(r *release.Release) string {
	return fmt.Sprintf("title %q type %q speakers %q\nbody %q", r.Title, r.Type, r.Speakers, r.Body)
}

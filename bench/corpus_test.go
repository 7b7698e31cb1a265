package bench

import (
	"testing"

	"github.com/natowatch/natowatch/scraper"
)

// TestCorpus checks that the generated corpus is the same on every run and
// that every page of it is a release natowatch can read.
func TestCorpus(t *testing.T) {
	a, err := NewCorpus(30)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCorpus(30)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash != b.Hash {
		t.Fatalf("two corpora of the same size differ: %s, %s", a.Hash, b.Hash)
	}
	forms := map[string]int{}
	for _, p := range a.Pages {
		forms[p.Form]++
		if _, err := scraper.Extract(p.Body, p.URL, p.ContentType); err != nil {
			t.Errorf("%s (%s): %v", p.URL, p.Form, err)
		}
	}
	if len(forms) != 3 {
		t.Errorf("layouts %v, want new, legacy and public", forms)
	}
}

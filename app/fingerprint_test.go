package app

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

// The fingerprints stored by earlier versions must stay valid: the fast
// whitespace folding makes the same bytes as strings.Fields + Join.
func referenceFingerprint(r *release.Release) string {
	h := sha256.New()
	h.Write([]byte(strings.Join(strings.Fields(r.Title), " ")))
	for _, p := range r.Body {
		h.Write([]byte{'\n'})
		h.Write([]byte(strings.Join(strings.Fields(p), " ")))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func FuzzAppendFields(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a  b\t\nc ", "\u00a0x\u0085y\u2003", "\xff \xfe\x80 z", "Allies\u202fagree", "a\u3000b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Join(strings.Fields(s), " ")
		if got := string(appendFields(nil, s)); got != want {
			t.Fatalf("appendFields(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestFingerprintUnchanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "B", "é", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\xff", "NATO", ".", "\u0085"}
	word := func() string {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 2000 {
		r := &release.Release{Title: word()}
		for range rng.IntN(5) {
			r.Body = append(r.Body, word())
		}
		if got, want := fingerprint(r), referenceFingerprint(r); got != want {
			t.Fatalf("fingerprint of %+v changed: %s, was %s", r, got, want)
		}
	}
}

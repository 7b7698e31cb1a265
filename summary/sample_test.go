package summary

import (
	"os"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

const samplePath = "testdata/publicnow-nato-2017-11-02-seoul-press-point.txt"

// loadSample builds the release of the sample press point: the first two
// paragraphs are the publisher's header, the third is the title, the rest
// is the body.
func loadSample(t testing.TB) *release.Release {
	t.Helper()
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	ps := paragraphs(strings.ReplaceAll(string(b), "\r\n", "\n"))
	if len(ps) < 4 {
		t.Fatalf("sample has %d paragraphs, want a header, a title and a body", len(ps))
	}
	body := make([]string, 0, len(ps)-3)
	for _, p := range ps[3:] {
		body = append(body, strings.TrimSpace(p))
	}
	return &release.Release{
		Source: "publicnow-nato",
		Title:  strings.TrimSpace(ps[2]),
		Type:   release.TypeSpeech,
		Body:   body,
	}
}

// TestSampleQuotesNorthKorea: the alert for the sample press point quotes
// the Secretary General on North Korea, and credits him.
func TestSampleQuotesNorthKorea(t *testing.T) {
	_, qs := Digest(loadSample(t))
	for _, q := range qs {
		if strings.Contains(q.Text, "North Korea") && q.Speaker == "NATO Secretary General Jens Stoltenberg" {
			return
		}
	}
	t.Errorf("no quote of the Secretary General on North Korea: %q", qs)
}

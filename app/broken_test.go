package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// corruptLookups is a real store whose lookups fail as a corrupt SQLite
// file makes them fail at run time.
type corruptLookups struct {
	*state.SQLite
}

func (corruptLookups) Lookup(context.Context, []string) (*state.Stored, error) {
	return nil, fmt.Errorf("state: lookup: %w", state.ErrCorrupt)
}

// TestBrokenStoreIsNotTheSourcesFailure: a store that breaks during a
// check is reported as the store's failure, and the source is neither
// marked failing nor reported to ops (issue 13, defect 7).
func TestBrokenStoreIsNotTheSourcesFailure(t *testing.T) {
	h := newHarness(t, nil)
	h.src.cands = []scraper.Candidate{{URL: "https://example.org/a", Title: "A"}}
	h.src.pages["https://example.org/a"] = &release.Release{Title: "A", Body: body}
	h.mustOnce() // first run: recorded
	h.src.cands = append(h.src.cands, scraper.Candidate{URL: "https://example.org/b", Title: "B"})
	h.src.pages["https://example.org/b"] = &release.Release{Title: "B", Body: body}

	var logs bytes.Buffer
	a, err := New(h.app.cfg, slog.New(slog.NewTextHandler(&logs, nil)),
		Options{Store: corruptLookups{h.store}, Notifier: h.rec, Sources: []Source{h.src}, Now: func() time.Time { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Once(context.Background())
	if !errors.Is(err, state.ErrCorrupt) {
		t.Fatalf("Once = %v, want the store's ErrCorrupt", err)
	}
	health, err := h.store.Health(context.Background(), h.src.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !health.FailingSince.IsZero() {
		t.Errorf("the source was marked failing since %v for the store's error", health.FailingSince)
	}
	if strings.Contains(logs.String(), "source is failing") || !strings.Contains(logs.String(), "state store failed") {
		t.Errorf("logs blame the source, or say nothing of the store:\n%s", logs.String())
	}
}

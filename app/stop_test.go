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

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
)

// TestStopMidCheckIsNotAFailure: a stop while a check fetches pages is not
// a failure of the source (no failing mark, no ops notice, no line per
// item), Once says it was stopped, and nothing is lost (issue 13, defects
// 2 and 8).
func TestStopMidCheckIsNotAFailure(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Discord.OpsChannel = "100000000000000009"
		c.Targets = []config.Target{{Channel: "100000000000000001"}}
	})
	var logs bytes.Buffer
	h.withLog(h.src, &logs)
	h.mustOnce()
	for i := range 5 {
		h.src.publish(fmt.Sprintf("https://example.org/s%d", i), fmt.Sprintf("Allies agree on plan number %d", i), h.now, release.TypeNews, body[0])
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.src.onFetch = cancel // the stop comes while the first page is read
	err := h.app.Once(ctx)
	h.src.onFetch = nil
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Once stopped: %v, want context.Canceled", err)
	}
	if hl, _ := h.store.Health(context.Background(), "fake"); hl.LastError != "" || !hl.FailingSince.IsZero() {
		t.Fatalf("a stop marked the source failing: %+v", hl)
	}
	if len(h.rec.notices) != 0 {
		t.Fatalf("a stop told ops %q", h.rec.notices)
	}
	for _, bad := range []string{"item failed", "re-check failed", "source is failing", "level=WARN", "level=ERROR"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("a stop logged %q:\n%s", bad, logs.String())
		}
	}
	h.mustOnce()
	if h.rec.count() != 5 || len(h.rec.notices) != 0 {
		t.Fatalf("after the stop: %d of 5 posted, notices %q", h.rec.count(), h.rec.notices)
	}
}

// stoppingNotifier is a notifier whose sends are cut short by a stop.
type stoppingNotifier struct {
	*recorder
	stop context.CancelFunc
}

func (n stoppingNotifier) Send(ctx context.Context, _ notifier.Target, _ release.Alert, _ string) (string, error) {
	n.stop()
	return "", fmt.Errorf("posting: %w", ctx.Err())
}

// TestStopMidSendIsNotAFailure: a send cut short by a stop logs no
// warning that it will be retried, one info line at most, and the alert
// goes out on the next start.
func TestStopMidSendIsNotAFailure(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Targets = []config.Target{{Channel: "100000000000000001"}} })
	h.mustOnce()
	h.src.publish("https://example.org/s", "Allies agree on a plan", h.now, release.TypeNews, body[0])
	if _, err := h.app.Check(context.Background(), h.src); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	a, err := New(h.app.cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Options{Store: h.store, Notifier: stoppingNotifier{h.rec, cancel}, Sources: []Source{h.src}, Now: func() time.Time { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := a.Deliver(ctx); res.Sent != 0 || res.Retried != 0 {
		t.Fatalf("Deliver stopped mid-send: %+v", res)
	}
	out := logs.String()
	if strings.Contains(out, "level=WARN") || strings.Contains(out, "level=ERROR") || strings.Count(out, "\n") > 1 {
		t.Fatalf("a send cut short by a stop logged:\n%s", out)
	}
	h.now = h.now.Add(claimLease + time.Second) // the next start, once the claim lapsed
	h.mustOnce()
	if h.rec.count() != 1 {
		t.Fatalf("after the stop: %d sent, want 1", h.rec.count())
	}
}

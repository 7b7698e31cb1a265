package app

import (
	"context"
	"testing"
	"time"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
)

// A pass gives back the claims it did not use: the alerts held behind a
// target's failed one are free at once for another process (a next once),
// and so is the failed one, when its retry is due.
func TestDeliverGivesBackUnusedClaims(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Targets = []config.Target{{Channel: "100000000000000001"}}
	})
	h.mustOnce()
	for i, u := range []string{"https://example.org/1", "https://example.org/2", "https://example.org/3"} {
		h.src.publish(u, "Release of the day on NATO number "+u[len(u)-1:], h.now.Add(time.Duration(i)*time.Minute), release.TypeNews, body[0])
	}
	h.rec.fail["channel 100000000000000001"] = &notifier.Error{Status: 500}
	if err := h.once(); err == nil {
		t.Fatal("undelivered alerts must make once fail")
	}
	// Another process, within the claims' 30 s, once the retry is due.
	h.now = h.now.Add(15 * time.Second)
	got, err := h.store.Claim(context.Background(), "another", h.now, 10, time.Minute)
	if err != nil || len(got) != 3 {
		t.Fatalf("another process finds %d of 3 to claim, %v", len(got), err)
	}
}

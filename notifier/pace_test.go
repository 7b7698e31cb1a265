package notifier

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// sentAt records when each request reached it.
type sentAt struct {
	mu    sync.Mutex
	times []time.Time
}

func (s *sentAt) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: req}, nil
}

func pacedRequest(t *testing.T, ctx context.Context) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(paced(ctx), "POST", "http://127.0.0.1/api/channels/1/messages", nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestPacerSpacesRequests(t *testing.T) {
	rec := &sentAt{}
	p := newPacer(rec, 200) // every 5 ms
	// Many senders at once: every request goes out once (and -race
	// watches the pacer's state).
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if _, err := p.RoundTrip(pacedRequest(t, t.Context())); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if len(rec.times) != 40 {
		t.Fatalf("%d requests went out, want 40", len(rec.times))
	}
	// One sender, so that the times are recorded in order: n requests
	// take n-1 turns. (A request recorded late lets the next go at once
	// but moves the turns after it: hence n-2 intervals, less p.late.)
	rec.times = nil
	const n = 20
	for range n {
		if _, err := p.RoundTrip(pacedRequest(t, t.Context())); err != nil {
			t.Fatal(err)
		}
	}
	if span, least := rec.times[n-1].Sub(rec.times[0]), (n-2)*p.interval-p.late; span < least {
		t.Errorf("%d requests went out within %v, less than %v", n, span, least)
	}
}

func TestPacerLetsUnmarkedRequestsThrough(t *testing.T) {
	rec := &sentAt{}
	p := newPacer(rec, 1/3600.0) // once an hour
	if _, err := p.RoundTrip(pacedRequest(t, t.Context())); err != nil {
		t.Fatal(err)
	}
	// The next paced request waits an hour for its turn, until cancelled.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := p.RoundTrip(pacedRequest(t, ctx))
		done <- err
	}()
	// A request the pacer does not count (an interaction reply) goes out
	// meanwhile.
	req, _ := http.NewRequestWithContext(t.Context(), "POST", "http://127.0.0.1/api/interactions/1/tok/callback", nil)
	if _, err := p.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting paced request: %v, want context.Canceled", err)
	}
	if len(rec.times) != 2 {
		t.Fatalf("%d requests went out, want the first paced one and the unmarked one", len(rec.times))
	}
}

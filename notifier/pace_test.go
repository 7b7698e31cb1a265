package notifier

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
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
	const interval = 5 * time.Millisecond
	p := &pacer{next: rec, lim: rate.NewLimiter(rate.Every(interval), 1)}
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
	// No burst: the 40th request went out 39 intervals after the first
	// at the earliest.
	if span := rec.times[39].Sub(rec.times[0]); span < 39*interval {
		t.Errorf("40 requests went out within %v, less than 39 intervals of %v", span, interval)
	}
}

func TestPacerLetsUnmarkedRequestsThrough(t *testing.T) {
	rec := &sentAt{}
	p := &pacer{next: rec, lim: rate.NewLimiter(rate.Every(time.Hour), 1)}
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

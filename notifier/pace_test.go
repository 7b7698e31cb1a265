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

func TestPacerSpacesFromWhenEachWentOut(t *testing.T) {
	rec := &sentAt{}
	p := &pacer{next: rec, interval: 5 * time.Millisecond}
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
	for i := 1; i < len(rec.times); i++ {
		if gap := rec.times[i].Sub(rec.times[i-1]); gap < p.interval {
			t.Errorf("requests %d and %d went out %v apart, less than %v", i-1, i, gap, p.interval)
		}
	}
}

func TestPacerLetsUnmarkedRequestsThrough(t *testing.T) {
	rec := &sentAt{}
	p := &pacer{next: rec, interval: time.Hour}
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

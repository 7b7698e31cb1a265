package notifier

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// pacer spaces the bot's message requests at least interval apart, counted
// from when each was actually handed to the connection, not from when it
// was allowed: a request delayed after its turn (a busy CPU, a collector
// pause) would otherwise go out just before the next one, and two such
// pairs in one of Discord's second-long windows make 51 requests in it.
// Requests not marked by paced (the gateway's, interaction replies, which
// Discord does not count globally) pass straight through.
type pacer struct {
	next     http.RoundTripper
	interval time.Duration

	mu   sync.Mutex // held while a request waits for its turn: one at a time
	last time.Time  // when the previous paced request went out
}

type pacedKey struct{}

// paced marks ctx's requests for the pacer.
func paced(ctx context.Context) context.Context { return context.WithValue(ctx, pacedKey{}, true) }

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Context().Value(pacedKey{}) == nil {
		return p.next.RoundTrip(req)
	}
	p.mu.Lock()
	if wait := p.interval - time.Since(p.last); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
			p.mu.Unlock()
			return nil, req.Context().Err()
		}
	}
	p.last = time.Now()
	p.mu.Unlock()
	return p.next.RoundTrip(req)
}

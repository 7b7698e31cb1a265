package notifier

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// pacer spaces the bot's message requests below Discord's global limit,
// where they are handed to the connection (after discordgo's own bucket
// handling). Each request's turn comes an interval after the previous
// one's. A request that goes out at most late (a timer's wake-up) keeps
// the turns where they were, so the rate holds; one held up longer (a busy
// CPU, a collector pause, a stall of the server) moves the next turns to
// after it went out, so the requests that waited behind it do not go out
// together: two such bunches in one of Discord's second-long windows would
// put 51 requests in it. Requests not marked by paced (the gateway's,
// interaction replies, which Discord does not count globally) pass
// straight through.
type pacer struct {
	next     http.RoundTripper
	interval time.Duration
	late     time.Duration // how late a request may go out and keep the turns

	mu   sync.Mutex // held while a request waits for its turn: one at a time
	turn time.Time  // the previous paced request's turn
}

func newPacer(next http.RoundTripper, perSecond float64) *pacer {
	iv := time.Duration(float64(time.Second) / perSecond)
	return &pacer{next: next, interval: iv, late: iv / 10}
}

type pacedKey struct{}

// paced marks ctx's requests for the pacer.
func paced(ctx context.Context) context.Context { return context.WithValue(ctx, pacedKey{}, true) }

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Context().Value(pacedKey{}) == nil {
		return p.next.RoundTrip(req)
	}
	p.mu.Lock()
	turn := p.turn.Add(p.interval)
	if wait := time.Until(turn); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
			p.mu.Unlock()
			return nil, req.Context().Err()
		}
	}
	if now := time.Now(); now.Sub(turn) > p.late {
		turn = now
	}
	p.turn = turn
	p.mu.Unlock()
	return p.next.RoundTrip(req)
}

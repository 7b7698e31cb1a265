package notifier

import (
	"context"
	"net/http"

	"golang.org/x/time/rate"
)

// pacer spaces the bot's message requests evenly below Discord's global
// limit, where they are handed to the connection (after discordgo's own
// bucket handling, which can hold a request for a while). Its limiter has
// a burst of 1: a token bucket of rate r and burst b lets b + r requests
// into one second, and Discord counts second-long windows. Requests not
// marked by paced (the gateway's, interaction replies, which Discord does
// not count globally) pass straight through.
type pacer struct {
	next http.RoundTripper
	lim  *rate.Limiter
}

type pacedKey struct{}

// paced marks ctx's requests for the pacer.
func paced(ctx context.Context) context.Context { return context.WithValue(ctx, pacedKey{}, true) }

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Context().Value(pacedKey{}) != nil {
		if err := p.lim.Wait(req.Context()); err != nil {
			return nil, err
		}
	}
	return p.next.RoundTrip(req)
}

package fakediscord

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// window is a fixed-window counter: limit requests per period, the period
// starting at the first request after the previous one ended (Discord's
// buckets behave like this as seen from headers).
type window struct {
	limit     int
	period    time.Duration
	remaining int
	reset     time.Time
}

func (w *window) refresh(now time.Time) {
	if !now.Before(w.reset) {
		w.remaining = w.limit
		w.reset = now.Add(w.period)
	}
}

// limiter holds the per-route buckets and the global window. It is guarded
// by Server.mu.
type limiter struct {
	routeLimit  int
	routePer    time.Duration
	global      window
	buckets     map[string]*window
	globalLimit bool
}

func newLimiter(cfg config) *limiter {
	return &limiter{
		routeLimit:  cfg.routeLimit,
		routePer:    cfg.routePer,
		global:      window{limit: cfg.globalLimit, period: cfg.globalPer},
		globalLimit: cfg.globalLimit > 0,
		buckets:     map[string]*window{},
	}
}

// limitResult says how a request fared against the limits.
type limitResult struct {
	headers    http.Header
	limited    bool
	global     bool
	retryAfter time.Duration
}

// take accounts one request on route (a bucket such as
// "POST /channels/{channel_id}/messages") with major parameter major (the
// channel or webhook id). The headers are those Discord sends for the
// bucket; X-RateLimit-Bucket is the same for every major parameter of a
// route, as on Discord.
func (l *limiter) take(route, major string, now time.Time) limitResult {
	res := limitResult{headers: http.Header{}}
	var b *window
	if l.routeLimit > 0 {
		key := route + " " + major
		b = l.buckets[key]
		if b == nil {
			b = &window{limit: l.routeLimit, period: l.routePer}
			l.buckets[key] = b
		}
		b.refresh(now)
	}
	if l.globalLimit {
		l.global.refresh(now)
		if l.global.remaining <= 0 {
			res.limited, res.global = true, true
			res.retryAfter = l.global.reset.Sub(now)
			// The headers describe the limit hit: discordgo reads
			// X-RateLimit-Reset-After with X-RateLimit-Global as the time to
			// hold every bucket.
			setWindowHeaders(res.headers, &l.global, "global", now)
			res.headers.Set("X-RateLimit-Global", "true")
			res.headers.Set("X-RateLimit-Scope", "global")
			return res
		}
	}
	if b != nil && b.remaining <= 0 {
		res.limited = true
		res.retryAfter = b.reset.Sub(now)
		setWindowHeaders(res.headers, b, bucketHash(route), now)
		res.headers.Set("X-RateLimit-Scope", "user")
		return res
	}
	if l.globalLimit {
		l.global.remaining--
	}
	if b != nil {
		b.remaining--
		setWindowHeaders(res.headers, b, bucketHash(route), now)
	}
	return res
}

func setWindowHeaders(h http.Header, w *window, bucket string, now time.Time) {
	after := w.reset.Sub(now)
	h.Set("X-RateLimit-Limit", strconv.Itoa(w.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(w.remaining, 0)))
	resetMs := (w.reset.UnixNano() + int64(time.Millisecond) - 1) / int64(time.Millisecond)
	h.Set("X-RateLimit-Reset", fmt.Sprintf("%d.%03d", resetMs/1000, resetMs%1000))
	h.Set("X-RateLimit-Reset-After", seconds(after))
	h.Set("X-RateLimit-Bucket", bucket)
}

// injectedLimit builds the headers of a 429 forced by RateLimitNext.
func injectedLimit(route string, retryAfter time.Duration, now time.Time) limitResult {
	w := window{limit: 1, remaining: 0, reset: now.Add(retryAfter)}
	res := limitResult{headers: http.Header{}, limited: true, retryAfter: retryAfter}
	setWindowHeaders(res.headers, &w, bucketHash(route), now)
	res.headers.Set("X-RateLimit-Scope", "user")
	return res
}

// seconds formats d as Discord does: seconds with millisecond precision,
// rounded up so that a client waiting that long is never early (discordgo
// truncates to milliseconds).
func seconds(d time.Duration) string {
	return strconv.FormatFloat(secondsFloat(d), 'f', 3, 64)
}

func secondsFloat(d time.Duration) float64 {
	return math.Max(math.Ceil(d.Seconds()*1000)/1000, 0)
}

// retryAfterHeader is the Retry-After header value: whole seconds, rounded up.
func retryAfterHeader(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

func bucketHash(route string) string {
	sum := sha256.Sum256([]byte(route))
	return hex.EncodeToString(sum[:16])
}

package fakediscord

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// faults is what the test asked to go wrong. Guarded by Server.mu.
type faults struct {
	failN          int
	failStatus     int
	rateLimitN     int
	rateLimitAfter time.Duration
	dropN          int
	forbid         map[string]int // channel id, webhook id or "webhook:<id>" → status
	latency        time.Duration
}

// FailNext makes the next n create or edit requests answer status (a 5xx,
// say 500 or 502) with a JSON body, without creating or editing anything.
// They are answered after the rate limits and authentication.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.failN, s.faults.failStatus = n, status
}

// RateLimitNext makes the next n create or edit requests answer 429 with
// retry_after retryAfter, whatever the buckets say.
func (s *Server) RateLimitNext(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rateLimitN, s.faults.rateLimitAfter = n, retryAfter
}

// DropReplyNext makes the next n successful create or edit requests take
// effect (the message is created or edited, and recorded) and then close the
// connection without a reply: the client sees an error though Discord did
// the work.
func (s *Server) DropReplyNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.dropN = n
}

// Forbid makes every request to a channel (its id) or webhook (its id, or
// "webhook:<id>") answer status from now on: 403 is Missing Permissions
// (50013), 404 is Unknown Channel (10003) or Unknown Webhook (10015); any
// other status answers its text with code 0. Status 0 lifts the ban.
func (s *Server) Forbid(target string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.faults.forbid, target)
		return
	}
	s.faults.forbid[target] = status
}

// SetLatency delays every request by d before it is handled.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.latency = d
}

// forbidden reports whether Forbid covers rt's target. Caller holds mu.
func (s *Server) forbidden(rt route) (int, errorBody, bool) {
	target := rt.target()
	if target == "" {
		return 0, errorBody{}, false
	}
	status, ok := s.faults.forbid[target]
	if !ok {
		status, ok = s.faults.forbid[strings.TrimPrefix(target, "webhook:")]
	}
	if !ok {
		return 0, errorBody{}, false
	}
	switch {
	case status == http.StatusForbidden:
		return status, errorBody{Message: "Missing Permissions", Code: 50013}, true
	case status == http.StatusNotFound && rt.isWebhook():
		return status, errorBody{Message: "Unknown Webhook", Code: 10015}, true
	case status == http.StatusNotFound:
		return status, errorBody{Message: "Unknown Channel", Code: 10003}, true
	}
	return status, errorBody{Message: fmt.Sprintf("%d: %s", status, http.StatusText(status))}, true
}

// injectedFailure answers a FailNext failure if one is due.
func (s *Server) injectedFailure(w http.ResponseWriter, rt route) bool {
	if !rt.mutating() {
		return false
	}
	s.mu.Lock()
	due := s.faults.failN > 0
	status := s.faults.failStatus
	if due {
		s.faults.failN--
	}
	s.mu.Unlock()
	if !due {
		return false
	}
	writeJSON(w, status, errorBody{Message: fmt.Sprintf("%d: %s", status, http.StatusText(status))})
	return true
}

// takeDrop consumes one DropReplyNext. Caller holds mu.
func (s *Server) takeDrop() bool {
	if s.faults.dropN > 0 {
		s.faults.dropN--
		return true
	}
	return false
}

// dropReply closes the connection without answering.
func dropReply(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection, unlogged
}

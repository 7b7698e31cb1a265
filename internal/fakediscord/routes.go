package fakediscord

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

type routeKind int

const (
	webhookExecute routeKind = iota + 1
	webhookMessageGet
	webhookMessageEdit
	channelMessageCreate
	channelMessageGet
	channelMessageEdit
	gateway
	gatewayBot
	webhookMessageDelete
	// Interactions (interactions.go). The interactionFollowup and
	// interactionMessage* kinds are webhook routes whose webhook id is the
	// application's, which resolveInteraction turns them into.
	interactionCallback
	interactionFollowup
	interactionMessageGet
	interactionMessageEdit
	interactionMessageDelete
	// Application commands (commands.go), global or, with route.guild, a guild's.
	commandList
	commandPut
	commandCreate
	commandGet
	commandEdit
	commandDelete
	// Lookups (guilds.go).
	guildRoles
	channelGet
	userGet
	dmCreate
	applicationMe
)

// route is a matched request: its bucket (method and path template), the
// major parameter (channel or webhook id) and the other path parameters.
type route struct {
	kind    routeKind
	bucket  string
	major   string
	token   string
	message string

	app         string // application id of a command route
	guild       string // guild of a guild command route
	command     string // command id
	interaction string // interaction id, set by resolveInteraction
}

// target names the channel ("123") or webhook ("webhook:123") addressed.
func (rt route) target() string {
	switch rt.kind {
	case webhookExecute, webhookMessageGet, webhookMessageEdit, webhookMessageDelete:
		return "webhook:" + rt.major
	case interactionCallback:
		return "interaction:" + rt.major
	case interactionFollowup, interactionMessageGet, interactionMessageEdit, interactionMessageDelete:
		return "interaction:" + rt.interaction
	case gateway, gatewayBot, commandList, commandPut, commandCreate, commandGet, commandEdit, commandDelete,
		userGet, dmCreate, applicationMe:
		return ""
	}
	return rt.major
}

// isInteraction reports whether rt is an interaction's callback or webhook:
// no bot token needed, no global rate limit.
func (rt route) isInteraction() bool {
	switch rt.kind {
	case interactionCallback, interactionFollowup, interactionMessageGet, interactionMessageEdit, interactionMessageDelete:
		return true
	}
	return false
}

func (rt route) isWebhook() bool { return strings.HasPrefix(rt.target(), "webhook:") }

// mutating reports whether the route creates or edits a message: the
// requests FailNext, RateLimitNext and DropReplyNext act on.
func (rt route) mutating() bool {
	switch rt.kind {
	case webhookExecute, webhookMessageEdit, channelMessageCreate, channelMessageEdit,
		interactionCallback, interactionFollowup, interactionMessageEdit:
		return true
	}
	return false
}

// matchRoute matches a path under /api/v10/, /api/v9/ (the version
// discordgo v0.29.0's endpoints use; the bodies are the same) or /api/. It
// returns status 404 for an unknown path and 405 for a known path with
// another method.
func matchRoute(method, path string) (route, int) {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return route{}, http.StatusNotFound
	}
	if v, after, found := strings.Cut(rest, "/"); found && (v == "v10" || v == "v9") {
		rest = after
	}
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	for _, s := range seg {
		if s == "" {
			return route{}, http.StatusNotFound
		}
	}
	type cand struct {
		method string
		rt     route
	}
	var cands []cand
	switch {
	case len(seg) == 1 && seg[0] == "gateway":
		cands = []cand{{"GET", route{kind: gateway, bucket: "GET /gateway"}}}
	case len(seg) == 2 && seg[0] == "gateway" && seg[1] == "bot":
		cands = []cand{{"GET", route{kind: gatewayBot, bucket: "GET /gateway/bot"}}}
	case len(seg) == 3 && seg[0] == "webhooks":
		cands = []cand{{"POST", route{kind: webhookExecute, bucket: "POST /webhooks/{webhook_id}/{webhook_token}"}}}
	case len(seg) == 5 && seg[0] == "webhooks" && seg[3] == "messages":
		cands = []cand{
			{"GET", route{kind: webhookMessageGet, bucket: "GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"}},
			{"PATCH", route{kind: webhookMessageEdit, bucket: "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"}},
			{"DELETE", route{kind: webhookMessageDelete, bucket: "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"}},
		}
	case len(seg) == 4 && seg[0] == "interactions" && seg[3] == "callback":
		cands = []cand{{"POST", route{kind: interactionCallback, bucket: "POST /interactions/{interaction_id}/{interaction_token}/callback"}}}
	case len(seg) == 2 && seg[0] == "applications" && seg[1] == "@me":
		cands = []cand{{"GET", route{kind: applicationMe, bucket: "GET /applications/@me"}}}
	case len(seg) == 3 && seg[0] == "oauth2" && seg[1] == "applications" && seg[2] == "@me":
		cands = []cand{{"GET", route{kind: applicationMe, bucket: "GET /oauth2/applications/@me"}}}
	case len(seg) == 3 && seg[0] == "applications" && seg[2] == "commands",
		len(seg) == 5 && seg[0] == "applications" && seg[2] == "guilds" && seg[4] == "commands":
		b := "/applications/{application_id}/commands"
		if len(seg) == 5 {
			b = "/applications/{application_id}/guilds/{guild_id}/commands"
		}
		cands = []cand{
			{"GET", route{kind: commandList, bucket: "GET " + b}},
			{"PUT", route{kind: commandPut, bucket: "PUT " + b}},
			{"POST", route{kind: commandCreate, bucket: "POST " + b}},
		}
	case len(seg) == 4 && seg[0] == "applications" && seg[2] == "commands",
		len(seg) == 6 && seg[0] == "applications" && seg[2] == "guilds" && seg[4] == "commands":
		b := "/applications/{application_id}/commands/{command_id}"
		if len(seg) == 6 {
			b = "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}"
		}
		cands = []cand{
			{"GET", route{kind: commandGet, bucket: "GET " + b}},
			{"PATCH", route{kind: commandEdit, bucket: "PATCH " + b}},
			{"DELETE", route{kind: commandDelete, bucket: "DELETE " + b}},
		}
	case len(seg) == 3 && seg[0] == "guilds" && seg[2] == "roles":
		cands = []cand{{"GET", route{kind: guildRoles, bucket: "GET /guilds/{guild_id}/roles"}}}
	case len(seg) == 2 && seg[0] == "channels":
		cands = []cand{{"GET", route{kind: channelGet, bucket: "GET /channels/{channel_id}"}}}
	case len(seg) == 3 && seg[0] == "users" && seg[1] == "@me" && seg[2] == "channels":
		cands = []cand{{"POST", route{kind: dmCreate, bucket: "POST /users/@me/channels"}}}
	case len(seg) == 2 && seg[0] == "users":
		cands = []cand{{"GET", route{kind: userGet, bucket: "GET /users/{user_id}"}}}
	case len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages":
		cands = []cand{{"POST", route{kind: channelMessageCreate, bucket: "POST /channels/{channel_id}/messages"}}}
	case len(seg) == 4 && seg[0] == "channels" && seg[2] == "messages":
		cands = []cand{
			{"GET", route{kind: channelMessageGet, bucket: "GET /channels/{channel_id}/messages/{message_id}"}},
			{"PATCH", route{kind: channelMessageEdit, bucket: "PATCH /channels/{channel_id}/messages/{message_id}"}},
		}
	default:
		return route{}, http.StatusNotFound
	}
	for _, c := range cands {
		if c.method != method {
			continue
		}
		rt := c.rt
		if len(seg) >= 2 && seg[0] != "gateway" {
			rt.major = seg[1]
		}
		switch rt.kind {
		case webhookExecute:
			rt.token = seg[2]
		case webhookMessageGet, webhookMessageEdit, webhookMessageDelete:
			rt.token, rt.message = seg[2], seg[4]
		case channelMessageGet, channelMessageEdit:
			rt.message = seg[3]
		case interactionCallback:
			rt.token = seg[2]
		case applicationMe:
			rt.major = ""
		case commandList, commandPut, commandCreate, commandGet, commandEdit, commandDelete:
			rt.app = seg[1]
			if len(seg) >= 5 {
				rt.guild = seg[3]
				rt.major = seg[3] // guild_id is the major parameter
			}
			if len(seg) == 4 || len(seg) == 6 {
				rt.command = seg[len(seg)-1]
			}
		}
		return rt, 0
	}
	return route{}, http.StatusMethodNotAllowed
}

// serve runs every request through Discord's order of business: latency,
// routing, rate limits, authentication, permissions, injected failures, and
// only then the route's own handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.serveGateway(w, r) // the websocket; discordgo appends the slash
		return
	}
	s.mu.Lock()
	s.requests++
	latency := s.faults.latency
	s.mu.Unlock()
	if s.wait(r, latency) != nil {
		dropReply(w) // the client left or the server is closing
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 25<<20))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Message: "Request entity too large", Code: 40005})
		return
	}
	rt, status := matchRoute(r.Method, r.URL.Path)
	if status != 0 {
		s.reject(w, r, rt, body, status, errorBody{Message: fmt.Sprintf("%d: %s", status, http.StatusText(status))}, "no such route")
		return
	}
	rt = s.resolveInteraction(rt)
	if !s.admitRate(w, rt) {
		return
	}
	if !s.authorize(w, r, rt, body) {
		return
	}
	if s.injectedFailure(w, rt) {
		return
	}
	switch rt.kind {
	case gateway:
		writeJSON(w, http.StatusOK, map[string]any{"url": s.GatewayURL()})
	case gatewayBot:
		writeJSON(w, http.StatusOK, map[string]any{"url": s.GatewayURL(), "shards": 1,
			"session_start_limit": map[string]int{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}})
	case webhookExecute:
		s.create(w, r, rt, body, schemaWebhookCreate)
	case channelMessageCreate:
		s.create(w, r, rt, body, schemaMessageCreate)
	case webhookMessageEdit:
		s.edit(w, r, rt, body, schemaWebhookEdit)
	case channelMessageEdit:
		s.edit(w, r, rt, body, schemaMessageEdit)
	case webhookMessageGet, channelMessageGet:
		s.get(w, r, rt)
	case webhookMessageDelete:
		s.deleteWebhookMessage(w, r, rt)
	case interactionCallback:
		s.interactionCallback(w, r, rt, body)
	case interactionFollowup, interactionMessageGet, interactionMessageEdit, interactionMessageDelete:
		s.interactionWebhook(w, r, rt, body)
	case commandList, commandPut, commandCreate, commandGet, commandEdit, commandDelete:
		s.serveCommands(w, r, rt, body)
	case guildRoles, channelGet, userGet, dmCreate, applicationMe:
		s.serveLookup(w, r, rt, body)
	}
}

// admitRate applies RateLimitNext and the rate limits, sets the rate-limit
// headers, and answers 429 if the request may not go on.
func (s *Server) admitRate(w http.ResponseWriter, rt route) bool {
	s.mu.Lock()
	now := time.Now()
	var res limitResult
	if rt.mutating() && s.faults.rateLimitN > 0 {
		s.faults.rateLimitN--
		res = injectedLimit(rt.bucket, s.faults.rateLimitAfter, now)
	} else if rt.isInteraction() {
		// Interaction endpoints are not bound to the global rate limit.
		res = s.limits.takeLocal(rt.bucket, rt.major+"/"+rt.token, now)
	} else {
		res = s.limits.take(rt.bucket, rt.major, now)
	}
	if res.limited {
		s.count429++
	}
	s.mu.Unlock()
	for k, v := range res.headers {
		w.Header()[k] = v
	}
	if !res.limited {
		return true
	}
	w.Header().Set("Retry-After", retryAfterHeader(res.retryAfter))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message": "You are being rate limited.", "retry_after": secondsFloat(res.retryAfter), "global": res.global,
	})
	return false
}

// authorize checks the bot token on bot routes and the webhook token on
// webhook routes, then Forbid.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, rt route, body []byte) bool {
	s.mu.Lock()
	var (
		status int
		eb     errorBody
		reason string
	)
	switch {
	case rt.isWebhook():
		if tok, ok := s.webhookTokens[rt.major]; !ok {
			s.webhookTokens[rt.major] = rt.token
		} else if tok != rt.token {
			status, eb, reason = http.StatusUnauthorized, errorBody{Message: "Invalid Webhook Token", Code: 50027}, "webhook token mismatch"
		}
	case rt.kind != gateway && !rt.isInteraction():
		if r.Header.Get("Authorization") != "Bot "+s.cfg.token {
			status, eb, reason = http.StatusUnauthorized, errorBody{Message: "401: Unauthorized"}, "missing or wrong bot token"
		}
	}
	if status != 0 {
		s.record(r, rt, body, status, eb, reason)
		s.mu.Unlock()
		writeJSON(w, status, eb)
		return false
	}
	status, eb, forbidden := s.forbidden(rt)
	s.mu.Unlock()
	if forbidden {
		writeJSON(w, status, eb)
		return false
	}
	return true
}

// reject records a client error and answers it.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, rt route, body []byte, status int, eb errorBody, reason string) {
	s.mu.Lock()
	s.record(r, rt, body, status, eb, reason)
	s.mu.Unlock()
	writeJSON(w, status, eb)
}

// record appends a Rejection. Caller holds mu.
func (s *Server) record(r *http.Request, rt route, body []byte, status int, eb errorBody, reason string) {
	rej := Rejection{Method: r.Method, Path: r.URL.Path, Target: rt.target(), Status: status,
		Code: eb.Code, Reason: reason, Body: body}
	if eb.Errors != nil {
		rej.Errors, _ = json.Marshal(eb.Errors)
	}
	s.rejections = append(s.rejections, rej)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Package fakediscord is a fake Discord REST API for tests: an httptest
// server on 127.0.0.1 that accepts webhook posts and bot channel messages,
// validates them against Discord's OpenAPI schemas and documented limits,
// rate-limits like Discord, records what it was sent, and can be told to
// fail in the ways Discord does.
//
//	srv := fakediscord.New(t)
//	s, _ := discordgo.New("Bot test-token")
//	s.Client = srv.Client() // discordgo's https://discord.com endpoints now reach srv
//	...
//	if r := srv.Rejections(); len(r) > 0 { t.Fatalf("rejected: %+v", r) }
//
// Routes are served under /api/v10/, /api/v9/ (discordgo v0.29.0's
// endpoints say v9) and /api/ (webhook URLs carry no version).
//
// The gateway is faked too (gateway.go): /gateway answers the URL of a
// websocket on the same server that speaks Discord's gateway protocol, so
// that a discordgo.Session's Open() connects to it; tests then Dispatch
// events, Interact as a user running a slash command (interactions.go) and
// read what the bot answered. Application commands (commands.go) and the
// guild, channel, user and application lookups a bot makes (guilds.go) are
// served as well.
package fakediscord

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultToken is the bot token the fake accepts unless WithToken says
// otherwise; clients send it as "Authorization: Bot test-token".
const DefaultToken = "test-token"

type config struct {
	token       string
	routeLimit  int
	routePer    time.Duration
	globalLimit int
	globalPer   time.Duration
	nonceWindow time.Duration

	heartbeat           time.Duration // gateway HELLO heartbeat_interval
	privilegedIntents   int           // privileged intents the bot may ask for
	interactionDeadline time.Duration // time to answer an interaction
}

// Option configures a Server.
type Option func(*config)

// WithToken sets the bot token (without "Bot ") the bot routes require and
// the gateway's IDENTIFY and RESUME must carry (with or without "Bot ").
func WithToken(tok string) Option { return func(c *config) { c.token = tok } }

// WithRouteLimit sets every route bucket to n requests per period (default
// 5 per 2s, Discord's limit for message creation). n <= 0 turns per-route
// limits off.
func WithRouteLimit(n int, per time.Duration) Option {
	return func(c *config) { c.routeLimit, c.routePer = n, per }
}

// WithGlobalLimit sets the global limit to n requests per period (default
// 50 per second, as for Discord bots). n <= 0 turns it off.
func WithGlobalLimit(n int, per time.Duration) Option {
	return func(c *config) { c.globalLimit, c.globalPer = n, per }
}

// WithNonceWindow sets how long a nonce sent with enforce_nonce dedupes
// messages in its channel (default 5 minutes; Discord says "a few minutes").
func WithNonceWindow(d time.Duration) Option { return func(c *config) { c.nonceWindow = d } }

// Server is a running fake Discord. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	hs        *httptest.Server
	cfg       config
	done      chan struct{}
	closeOnce sync.Once

	mu            sync.Mutex
	messages      []*Message
	byID          map[string]*Message
	nonces        map[string]nonceEntry
	webhookTokens map[string]string
	rejections    []Rejection
	requests      int
	count429      int
	lastID        uint64
	limits        *limiter
	faults        faults

	gw           gatewayState // guarded by mu, see gateway.go
	interactions map[string]*Interaction
	interTokens  map[string]*Interaction // by token
	commands     map[string][]*storedCommand
	guilds       map[string]*guild
	channels     map[string]*channelInfo
	users        map[string]userInfo
	dms          map[string]string // recipient user id -> DM channel id
}

type nonceEntry struct {
	id   string
	seen time.Time
}

// New starts a Server for a test and closes it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a Server listening on 127.0.0.1; Close stops it.
func Start(opts ...Option) (*Server, error) {
	cfg := config{
		token:      DefaultToken,
		routeLimit: 5, routePer: 2 * time.Second,
		globalLimit: 50, globalPer: time.Second,
		nonceWindow: 5 * time.Minute,
		heartbeat:   defaultHeartbeat, interactionDeadline: defaultInteractionDeadline,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if _, err := compiledSchemas(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakediscord: listen: %w", err)
	}
	s := &Server{
		cfg:           cfg,
		done:          make(chan struct{}),
		byID:          map[string]*Message{},
		nonces:        map[string]nonceEntry{},
		webhookTokens: map[string]string{},
		limits:        newLimiter(cfg),
		faults:        faults{forbid: map[string]int{}},
		gw:            newGatewayState(),
		interactions:  map[string]*Interaction{},
		interTokens:   map[string]*Interaction{},
		commands:      map[string][]*storedCommand{},
		guilds:        map[string]*guild{},
		channels:      map[string]*channelInfo{},
		users:         map[string]userInfo{},
		dms:           map[string]string{},
	}
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.hs.Listener = ln
	s.hs.Start()
	s.URL = s.hs.URL
	return s, nil
}

// Close stops the server, cutting short any SetLatency waits. It is safe
// to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.hs.Close()
	})
}

// GatewayURL returns the websocket URL /gateway answers,
// ws://127.0.0.1:port/gateway.
func (s *Server) GatewayURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway" }

// API returns the REST base URL, URL + "/api/v10".
func (s *Server) API() string { return s.URL + "/api/v10" }

// WebhookURL returns the URL of a webhook on the fake, shaped like
// Discord's https://discord.com/api/webhooks/{id}/{token}. The fake then
// accepts only token for id (401 Invalid Webhook Token otherwise); a webhook
// never named here takes the first token it is used with.
func (s *Server) WebhookURL(id, token string) string {
	s.mu.Lock()
	s.webhookTokens[id] = token
	s.mu.Unlock()
	return s.URL + "/api/webhooks/" + id + "/" + token
}

// errorBody is Discord's JSON error shape.
type errorBody struct {
	Message string         `json:"message"`
	Code    int            `json:"code"`
	Errors  map[string]any `json:"errors,omitempty"`
}

var errClosed = errors.New("fakediscord: server closed")

// wait sleeps d unless the request or the server ends first.
func (s *Server) wait(r *http.Request, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-r.Context().Done():
		return r.Context().Err()
	case <-s.done:
		return errClosed
	}
}

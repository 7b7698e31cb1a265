package fakediscord

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// The gateway: GET /api/v{9,10}/gateway answers GatewayURL(), where
// serveGateway speaks Discord's gateway protocol (JSON encoding) as
// discordgo v0.29.0 uses it:
//
//   - Open() does GET /api/v9/gateway (not /gateway/bot), appends "/" and
//     "?v=9&encoding=json", and dials that with s.Dialer (gorilla's
//     DefaultDialer); the fake's URL is ws://127.0.0.1:port/gateway, so no
//     rewriting is needed beyond Session.Client reaching the fake.
//   - It reads HELLO (op 10), sends IDENTIFY (op 2), or RESUME (op 6) when it
//     already has a session id, and reads one more message, READY or
//     RESUMED, before Open() returns.
//   - IDENTIFY carries the token as given to discordgo.New, "Bot " prefix
//     included (Discord accepts both), "compress": true (Session.Compress
//     defaults to true) and intents IntentsAllWithoutPrivileged unless set.
//     With compress true Discord sends some payloads as binary zlib
//     messages, each a complete zlib stream, which discordgo inflates one
//     by one; the fake compresses READY and any dispatch of 1 KiB or more.
//     discordgo never asks for ?compress=zlib-stream (the fake refuses it).
//   - When the connection breaks it closes it (close code 1000, then a one
//     second sleep), dials again and RESUMEs; Discord invalidates a session
//     its client closed with 1000 or 1001, so the fake answers such a
//     RESUME with INVALID_SESSION (op 9) and discordgo then IDENTIFYs anew
//     on the same connection.
var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresence       = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
	opSoundboard     = 31
)

const (
	defaultHeartbeat = 41250 * time.Millisecond // what Discord sends today
	compressAbove    = 1024                     // dispatches this large are zlib-compressed
	replayBuffer     = 1000                     // dispatches kept per session for RESUME
	sendQueue        = 4096                     // frames queued per connection before it is cut
	writeTimeout     = 5 * time.Second
	// IntentGuilds is the GUILDS intent (1 << 0): GUILD_CREATE after READY.
	intentGuilds = 1 << 0
	// validIntents are the intent bits Discord knows.
	validIntents = 1<<17 - 1 | 1<<20 | 1<<21 | 1<<24 | 1<<25
	// PrivilegedIntents are GUILD_MEMBERS (1<<1), GUILD_PRESENCES (1<<8)
	// and MESSAGE_CONTENT (1<<15), which a bot must have enabled in the
	// developer portal (WithPrivilegedIntents).
	PrivilegedIntents = 1<<1 | 1<<8 | 1<<15
)

// closeText is Discord's reason for each gateway close code.
var closeText = map[int]string{
	4000: "Unknown error.", 4001: "Unknown opcode.", 4002: "Error while decoding payload.",
	4003: "Not authenticated.", 4004: "Authentication failed.", 4005: "Already authenticated.",
	4007: "Invalid seq.", 4008: "Rate limited.", 4009: "Session timed out.", 4010: "Invalid shard.",
	4011: "Sharding required.", 4012: "Invalid API version.", 4013: "Invalid intent(s).",
	4014: "Disallowed intent(s).",
}

// WithHeartbeatInterval sets the heartbeat_interval HELLO announces
// (default 41.25s, as Discord). discordgo sends a heartbeat at once and
// then every interval; the fake acknowledges each.
func WithHeartbeatInterval(d time.Duration) Option { return func(c *config) { c.heartbeat = d } }

// WithPrivilegedIntents sets which privileged intents (a subset of
// PrivilegedIntents) the bot has enabled in the developer portal; an
// IDENTIFY asking for others is closed with 4014 Disallowed intent(s).
// The default is none, as for a new bot.
func WithPrivilegedIntents(mask int) Option { return func(c *config) { c.privilegedIntents = mask } }

// GatewaySession describes a gateway session (an accepted IDENTIFY) or a
// connection that has not identified yet (Identified false).
type GatewaySession struct {
	SessionID  string
	Shard      [2]int // as sent in IDENTIFY; [0, 1] when none was sent
	ShardSent  bool   // IDENTIFY carried "shard" (discordgo sends it only when ShardCount > 1)
	Identified bool
	Connected  bool // a websocket is attached now (false while a resumable session waits)
	Intents    int
	Compress   bool
	Token      string // as sent in IDENTIFY ("Bot " prefix and all)
	Properties map[string]any
	Version    int   // gateway version from the URL's ?v=
	Seq        int64 // last sequence number dispatched
	Resumes    int   // successful RESUMEs
	Heartbeats int   // heartbeats received on this session
}

// gatewayState is the fake's gateway bookkeeping, guarded by Server.mu.
type gatewayState struct {
	conns    map[*gwConn]struct{}
	sessions []*gwSession // live sessions (connected or resumable), in identify order
}

func newGatewayState() gatewayState { return gatewayState{conns: map[*gwConn]struct{}{}} }

type gwSession struct {
	GatewaySession
	conn   *gwConn
	events []gwEvent // last dispatches, for RESUME
}

type gwEvent struct {
	seq  int64
	name string
	data json.RawMessage
}

// gwConn is one websocket. Only its writer goroutine writes data frames;
// send queues them without blocking so that Server.mu may be held.
type gwConn struct {
	ws      *websocket.Conn
	out     chan gwFrame
	done    chan struct{} // closed when the reader ends
	version int
	sess    *gwSession
	beats   int  // heartbeats before identifying
	cut     bool // a close was queued; send nothing more
}

type gwFrame struct {
	binary bool
	data   []byte
	close  int // close code: write a close frame and end
	reason string
}

// send queues a frame; a client that lets sendQueue frames pile up is cut
// off. Caller holds mu.
func (c *gwConn) send(f gwFrame) {
	if c.cut {
		return
	}
	if f.close != 0 {
		c.cut = true
	}
	select {
	case c.out <- f:
	default:
		c.cut = true
		_ = c.ws.Close()
	}
}

// sendOp queues a non-dispatch payload. Caller holds mu.
func (c *gwConn) sendOp(op int, d any) {
	b, _ := json.Marshal(map[string]any{"op": op, "d": d, "s": nil, "t": nil})
	c.send(gwFrame{data: b})
}

// closeWith queues a close frame with Discord's text for code. Caller holds mu.
func (c *gwConn) closeWith(code int) {
	c.send(gwFrame{close: code, reason: closeText[code]})
}

func (s *Server) writeLoop(c *gwConn) {
	defer func() { _ = c.ws.Close() }()
	for {
		select {
		case f := <-c.out:
			deadline := time.Now().Add(writeTimeout)
			if f.close != 0 {
				_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(f.close, f.reason), deadline)
				return
			}
			typ := websocket.TextMessage
			if f.binary {
				typ = websocket.BinaryMessage
			}
			_ = c.ws.SetWriteDeadline(deadline)
			if c.ws.WriteMessage(typ, f.data) != nil {
				return
			}
		case <-c.done:
			return
		case <-s.done:
			return
		}
	}
}

// serveGateway upgrades /gateway to a websocket and runs the reader.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if enc := q.Get("encoding"); enc != "" && enc != "json" {
		http.Error(w, "fakediscord: only encoding=json is supported", http.StatusBadRequest)
		return
	}
	if comp := q.Get("compress"); comp != "" {
		http.Error(w, "fakediscord: transport compression ("+comp+") is not supported", http.StatusBadRequest)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil) // answers 400 itself if not a websocket request
	if err != nil {
		return
	}
	ws.SetReadLimit(4096) // Discord closes with 4002 above 4096 bytes
	c := &gwConn{ws: ws, out: make(chan gwFrame, sendQueue), done: make(chan struct{})}
	go s.writeLoop(c)
	s.mu.Lock()
	s.gw.conns[c] = struct{}{}
	v, err := strconv.Atoi(q.Get("v"))
	switch {
	case q.Get("v") == "":
		c.version = 10
	case err != nil || (v != 9 && v != 10):
		c.closeWith(4012)
	default:
		c.version = v
	}
	c.sendOp(opHello, map[string]any{"heartbeat_interval": s.cfg.heartbeat.Milliseconds(),
		"_trace": []string{`["gateway-fake",{"micros":0}]`}})
	s.mu.Unlock()
	defer close(c.done)
	for {
		mt, msg, err := ws.ReadMessage()
		if err != nil {
			s.gatewayGone(c, err)
			return
		}
		s.mu.Lock()
		s.gatewayMessage(c, mt, msg)
		s.mu.Unlock()
	}
}

// gatewayGone detaches a connection that ended. A session whose client
// closed it with 1000 or 1001 is invalidated, as on Discord; any other end
// leaves it resumable.
func (s *Server) gatewayGone(c *gwConn, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.gw.conns, c)
	sess := c.sess
	if sess == nil || sess.conn != c {
		return
	}
	sess.conn = nil
	var ce *websocket.CloseError
	if errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) && !c.cut {
		s.dropSession(sess)
	}
}

// dropSession forgets a session: it can no longer be resumed. Caller holds mu.
func (s *Server) dropSession(sess *gwSession) {
	for i, x := range s.gw.sessions {
		if x == sess {
			s.gw.sessions = append(s.gw.sessions[:i], s.gw.sessions[i+1:]...)
			break
		}
	}
}

type gwPayload struct {
	Op *int            `json:"op"`
	D  json.RawMessage `json:"d"`
}

// gatewayMessage handles one client payload. Caller holds mu.
func (s *Server) gatewayMessage(c *gwConn, mt int, msg []byte) {
	if c.cut {
		return
	}
	var p gwPayload
	if mt != websocket.TextMessage || json.Unmarshal(msg, &p) != nil || p.Op == nil {
		c.closeWith(4002)
		return
	}
	switch *p.Op {
	case opHeartbeat:
		if c.sess != nil {
			c.sess.Heartbeats++
		} else {
			c.beats++
		}
		c.sendOp(opHeartbeatAck, nil)
	case opIdentify:
		s.identify(c, p.D)
	case opResume:
		s.resume(c, p.D)
	case opPresence, opVoiceState, opRequestMembers, opSoundboard:
		if c.sess == nil {
			c.closeWith(4003)
		}
	default:
		c.closeWith(4001)
	}
}

type identifyData struct {
	Token      string         `json:"token"`
	Intents    *int           `json:"intents"`
	Shard      *[2]int        `json:"shard"`
	Compress   bool           `json:"compress"`
	Properties map[string]any `json:"properties"`
}

func (s *Server) tokenOK(tok string) bool {
	return strings.TrimPrefix(tok, "Bot ") == s.cfg.token
}

// identify starts a session and sends READY, then GUILD_CREATE for each
// of the shard's guilds when the GUILDS intent is set. Caller holds mu.
func (s *Server) identify(c *gwConn, raw json.RawMessage) {
	if c.sess != nil {
		c.closeWith(4005)
		return
	}
	var id identifyData
	if json.Unmarshal(raw, &id) != nil {
		c.closeWith(4002)
		return
	}
	switch {
	case !s.tokenOK(id.Token):
		c.closeWith(4004)
		return
	case id.Intents == nil || *id.Intents < 0 || *id.Intents&^validIntents != 0:
		c.closeWith(4013)
		return
	case *id.Intents&PrivilegedIntents&^s.cfg.privilegedIntents != 0:
		c.closeWith(4014)
		return
	case id.Shard != nil && (id.Shard[1] < 1 || id.Shard[0] < 0 || id.Shard[0] >= id.Shard[1]):
		c.closeWith(4010)
		return
	}
	sess := &gwSession{GatewaySession: GatewaySession{
		SessionID: randomHex(16), Shard: [2]int{0, 1}, Identified: true, Connected: true,
		Intents: *id.Intents, Compress: id.Compress, Token: id.Token, Properties: id.Properties,
		Version: c.version, Heartbeats: c.beats,
	}, conn: c}
	if id.Shard != nil {
		sess.Shard, sess.ShardSent = *id.Shard, true
	}
	c.sess = sess
	s.gw.sessions = append(s.gw.sessions, sess)

	guilds := s.shardGuilds(sess.Shard)
	stubs := make([]any, len(guilds))
	for i, g := range guilds {
		stubs[i] = map[string]any{"id": g.id, "unavailable": true}
	}
	ready := map[string]any{
		"v": c.version, "user": s.botUser(), "guilds": stubs, "session_id": sess.SessionID,
		"resume_gateway_url": s.GatewayURL(), "private_channels": []any{}, "relationships": []any{},
		"session_type": "normal", "_trace": []string{`["gateway-fake",{"micros":0}]`},
		"application": map[string]any{"id": ApplicationID, "flags": 0},
	}
	if sess.ShardSent {
		ready["shard"] = sess.Shard
	}
	s.dispatchTo(sess, "READY", mustJSON(ready))
	if sess.Intents&intentGuilds != 0 {
		for _, g := range guilds {
			s.dispatchTo(sess, "GUILD_CREATE", mustJSON(s.guildCreate(g)))
		}
	}
}

type resumeData struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       int64  `json:"seq"`
}

// resume reattaches a session, replays what it missed and sends RESUMED;
// an unknown or invalidated session gets INVALID_SESSION (op 9, d false).
// Caller holds mu.
func (s *Server) resume(c *gwConn, raw json.RawMessage) {
	if c.sess != nil {
		c.closeWith(4005)
		return
	}
	var rd resumeData
	if json.Unmarshal(raw, &rd) != nil {
		c.closeWith(4002)
		return
	}
	if !s.tokenOK(rd.Token) {
		c.closeWith(4004)
		return
	}
	var sess *gwSession
	for _, x := range s.gw.sessions {
		if x.SessionID == rd.SessionID {
			sess = x
		}
	}
	if sess == nil || (len(sess.events) > 0 && rd.Seq < sess.events[0].seq-1) {
		if sess != nil {
			s.dropSession(sess)
		}
		c.sendOp(opInvalidSession, false)
		return
	}
	if rd.Seq > sess.Seq {
		s.dropSession(sess)
		c.closeWith(4007)
		return
	}
	if old := sess.conn; old != nil {
		old.sess = nil
		old.closeWith(4000)
	}
	sess.conn, c.sess = c, sess
	sess.Resumes++
	sess.Version = c.version
	for _, ev := range sess.events {
		if ev.seq > rd.Seq && ev.name != "READY" && ev.name != "RESUMED" {
			c.send(encodeDispatch(ev, sess.Compress))
		}
	}
	s.dispatchTo(sess, "RESUMED", mustJSON(map[string]any{"_trace": []string{`["gateway-fake",{"micros":0}]`}}))
}

// dispatchTo gives an event the session's next sequence number, keeps it
// for RESUME and sends it if the session is connected. Caller holds mu.
func (s *Server) dispatchTo(sess *gwSession, name string, data json.RawMessage) {
	sess.Seq++
	ev := gwEvent{seq: sess.Seq, name: name, data: data}
	sess.events = append(sess.events, ev)
	if len(sess.events) > replayBuffer {
		sess.events = sess.events[len(sess.events)-replayBuffer:]
	}
	if sess.conn != nil {
		sess.conn.send(encodeDispatch(ev, sess.Compress))
	}
}

func encodeDispatch(ev gwEvent, compress bool) gwFrame {
	b, _ := json.Marshal(map[string]any{"op": opDispatch, "d": ev.data, "s": ev.seq, "t": ev.name})
	if !compress || (ev.name != "READY" && len(b) < compressAbove) {
		return gwFrame{data: b}
	}
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return gwFrame{binary: true, data: buf.Bytes()}
}

// Dispatch sends an event (op 0, t eventName, d data) to every live
// gateway session, with each session's next sequence number. A session
// that is disconnected but resumable gets it when it RESUMEs, as on
// Discord. It fails if data does not encode or no session is live.
func (s *Server) Dispatch(eventName string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("fakediscord: dispatch %s: %w", eventName, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.gw.sessions) == 0 {
		return fmt.Errorf("fakediscord: dispatch %s: no gateway session", eventName)
	}
	for _, sess := range s.gw.sessions {
		s.dispatchTo(sess, eventName, b)
	}
	return nil
}

// CloseGateway closes every gateway connection with close code code (say
// 4000 Unknown error, which lets clients resume). The sessions stay
// resumable except after 4007 and 4009, which invalidate them, and 4004
// and 4010-4014, after which Discord expects no reconnect (discordgo
// reconnects whatever the code).
func (s *Server) CloseGateway(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		if sess := c.sess; sess != nil && sess.conn == c {
			sess.conn = nil
			if code == 4004 || code == 4007 || code == 4009 || (code >= 4010 && code <= 4014) {
				s.dropSession(sess)
			}
		}
		c.send(gwFrame{close: code, reason: closeText[code]})
	}
}

// ReconnectGateway sends RECONNECT (op 7) on every connection; discordgo
// then closes (code 1012), dials again and RESUMEs.
func (s *Server) ReconnectGateway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		c.sendOp(opReconnect, nil)
	}
}

// InvalidateSessions sends INVALID_SESSION (op 9, d false) on every
// identified connection and forgets its session; discordgo answers with a
// new IDENTIFY on the same connection.
func (s *Server) InvalidateSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		if c.sess != nil {
			s.dropSession(c.sess)
			c.sess = nil
			c.sendOp(opInvalidSession, false)
		}
	}
}

// GatewaySessions returns the live sessions in the order they identified,
// then the connections that have not identified yet.
func (s *Server) GatewaySessions() []GatewaySession {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []GatewaySession
	for _, sess := range s.gw.sessions {
		g := sess.GatewaySession
		g.Connected = sess.conn != nil
		g.Properties = cloneMap(sess.Properties)
		out = append(out, g)
	}
	for c := range s.gw.conns {
		if c.sess == nil && !c.cut {
			out = append(out, GatewaySession{Version: c.version, Connected: true, Shard: [2]int{0, 1}, Heartbeats: c.beats})
		}
	}
	return out
}

// WaitGateway waits until n sessions are identified and connected.
func (s *Server) WaitGateway(n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		got := 0
		for _, g := range s.GatewaySessions() {
			if g.Identified && g.Connected {
				got++
			}
		}
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("fakediscord: %d of %d gateway sessions connected after %v", got, n, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sessionFor returns the live session that receives a guild's events (""
// for DMs, which go to shard 0), preferring a connected one. Caller holds mu.
func (s *Server) sessionFor(guildID string) *gwSession {
	var best *gwSession
	for _, sess := range s.gw.sessions {
		if shardOf(guildID, sess.Shard[1]) != sess.Shard[0] {
			continue
		}
		if best == nil || sess.conn != nil || best.conn == nil {
			best = sess
		}
	}
	return best
}

// shardOf is Discord's shard formula, (guild_id >> 22) % num_shards.
func shardOf(guildID string, count int) int {
	if count <= 1 || guildID == "" {
		return 0
	}
	id, _ := strconv.ParseUint(guildID, 10, 64)
	return int((id >> 22) % uint64(count))
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

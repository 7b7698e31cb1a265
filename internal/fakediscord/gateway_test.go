package fakediscord_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

// openBot opens a discordgo session on the fake's gateway, with the GUILDS
// intent as natowatch uses, and closes it before the server (cleanups run
// last-in first-out). Close takes a second: discordgo sleeps after the
// close frame.
func openBot(t *testing.T, srv *fakediscord.Server, setup ...func(*discordgo.Session)) *discordgo.Session {
	t.Helper()
	s := session(t, srv)
	s.Identify.Intents = discordgo.IntentsGuilds
	s.LogLevel = -1 // discordgo logs reconnects at error level; the tests cause them
	for _, f := range setup {
		f(s)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// recv waits for a value on ch.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5s", what)
	}
	var zero T
	return zero
}

func TestGatewayOpen(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t, fakediscord.WithHeartbeatInterval(100*time.Millisecond))
	srv.AddChannel("3000000000000000001", "3100000000000000001")
	srv.AddRole("3000000000000000001", "3200000000000000001", "editors")
	// discordgo hands handlers the objects its State keeps and later
	// overwrites (READY's guild stubs by GUILD_CREATE): read them in the
	// handler, with SyncEvents so that the next event waits.
	type guildSeen struct {
		id              string
		channels, roles int
		channelGuild    string
	}
	guilds := make(chan guildSeen, 4)
	ready := make(chan string, 1)
	s := openBot(t, srv, func(s *discordgo.Session) {
		s.SyncEvents = true
		s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) {
			gs := guildSeen{id: g.ID, channels: len(g.Channels), roles: len(g.Roles)}
			if len(g.Channels) > 0 {
				gs.channelGuild = g.Channels[0].GuildID
			}
			guilds <- gs
		})
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
			ok := r.User != nil && r.User.ID == fakediscord.BotUserID && r.User.Bot && r.Application != nil &&
				r.Application.ID == fakediscord.ApplicationID && r.SessionID != "" && r.Version == 9 &&
				len(r.Guilds) == 1 && r.Guilds[0].ID == "3000000000000000001" && r.Guilds[0].Unavailable
			if !ok {
				ready <- fmt.Sprintf("%+v guilds %+v", r, r.Guilds)
				return
			}
			ready <- ""
		})
	})

	if r := recv(t, ready, "READY"); r != "" {
		t.Errorf("READY = %s", r)
	}
	g := recv(t, guilds, "GUILD_CREATE")
	if g.id != "3000000000000000001" || g.channels != 1 || g.channelGuild != g.id || g.roles != 2 {
		t.Errorf("GUILD_CREATE = %+v", g)
	}
	if s.State.User.ID != fakediscord.BotUserID {
		t.Errorf("State.User = %+v", s.State.User)
	}
	if _, err := s.State.Channel("3100000000000000001"); err != nil {
		t.Errorf("state has no channel: %v", err)
	}

	// Heartbeats are acknowledged. (discordgo reconnects when no ACK came
	// for 5 intervals, so very short intervals are fragile under -race.)
	s.RLock()
	before := s.LastHeartbeatAck
	s.RUnlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		gs := srv.GatewaySessions()
		if len(gs) == 1 && gs[0].Heartbeats >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sessions %+v: want 3 heartbeats", gs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.RLock()
	acked := s.LastHeartbeatAck.After(before)
	s.RUnlock()
	if !acked {
		t.Error("no heartbeat ACK reached discordgo")
	}

	gs := srv.GatewaySessions()[0]
	if !gs.Identified || !gs.Connected || gs.Shard != [2]int{0, 1} || gs.ShardSent ||
		gs.Intents != int(discordgo.IntentsGuilds) || !gs.Compress || gs.Token != "Bot "+fakediscord.DefaultToken ||
		gs.Version != 9 || gs.Properties["$browser"] != "DiscordGo v0.29.0" {
		t.Errorf("session = %+v", gs)
	}
	// Open() made one REST request: GET /api/v9/gateway.
	if n := srv.Requests(); n != 1 {
		t.Errorf("%d REST requests, want 1", n)
	}

	// Dispatch reaches handlers, with increasing sequence numbers; a
	// guild added later arrives as GUILD_CREATE.
	created := make(chan string, 1)
	s.AddHandler(func(_ *discordgo.Session, c *discordgo.ChannelCreate) { created <- c.ID })
	seq := srv.GatewaySessions()[0].Seq
	if err := srv.Dispatch("CHANNEL_CREATE", map[string]any{"id": "42", "type": 0, "guild_id": "3000000000000000001", "name": "x"}); err != nil {
		t.Fatal(err)
	}
	if id := recv(t, created, "CHANNEL_CREATE"); id != "42" {
		t.Errorf("CHANNEL_CREATE of %s", id)
	}
	if got := srv.GatewaySessions()[0].Seq; got != seq+1 {
		t.Errorf("seq %d after dispatch, want %d", got, seq+1)
	}
	srv.AddGuild("3000000000000000002")
	if g := recv(t, guilds, "GUILD_CREATE"); g.id != "3000000000000000002" {
		t.Errorf("GUILD_CREATE = %+v", g)
	}
	noRejections(t, srv)
}

func TestGatewayRefusesIdentify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		opts  []fakediscord.Option
		setup func(*discordgo.Session)
		code  int
	}{
		{"bad token", nil, func(s *discordgo.Session) { s.Identify.Token = "Bot wrong" }, 4004},
		{"privileged intents", nil, func(s *discordgo.Session) { s.Identify.Intents = discordgo.IntentsAll }, 4014},
		{"unknown intent", nil, func(s *discordgo.Session) { s.Identify.Intents = 1 << 30 }, 4013},
		{"shard out of range", nil, func(s *discordgo.Session) { s.ShardID, s.ShardCount = 2, 2 }, 0}, // discordgo refuses itself
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t, c.opts...)
			s := session(t, srv)
			s.LogLevel = -1
			c.setup(s)
			err := s.Open()
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			var ce *websocket.CloseError
			if c.code != 0 && (!errors.As(err, &ce) || ce.Code != c.code) {
				t.Errorf("Open: %v, want close %d", err, c.code)
			}
			for _, g := range srv.GatewaySessions() {
				if g.Identified {
					t.Errorf("session identified: %+v", g)
				}
			}
		})
	}
	t.Run("privileged intents enabled", func(t *testing.T) {
		t.Parallel()
		srv := fakediscord.New(t, fakediscord.WithPrivilegedIntents(fakediscord.PrivilegedIntents))
		openBot(t, srv, func(s *discordgo.Session) { s.Identify.Intents = discordgo.IntentsAll })
		if gs := srv.GatewaySessions(); len(gs) != 1 || gs[0].Intents != int(discordgo.IntentsAll) {
			t.Errorf("sessions %+v", gs)
		}
	})
}

// Two shards: each guild's events and interactions go to its shard.
func TestGatewayShards(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	// (id >> 22) % 2 picks the shard.
	g0, g1 := "4194304000", "4194304" // 1000 % 2 == 0, 1 % 2 == 1
	srv.AddChannel(g0, "10")
	srv.AddChannel(g1, "11")
	srv.SetCommands("", &discordgo.ApplicationCommand{Name: "ping", Description: "Ping"})
	got := make(chan [2]string, 4)
	for shard := range 2 {
		openBot(t, srv, func(s *discordgo.Session) {
			s.ShardID, s.ShardCount = shard, 2
			s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
				got <- [2]string{i.GuildID, string(rune('0' + s.ShardID))}
			})
		})
	}
	gs := srv.GatewaySessions()
	if len(gs) != 2 || gs[0].Shard != [2]int{0, 2} || gs[1].Shard != [2]int{1, 2} || !gs[0].ShardSent {
		t.Fatalf("sessions %+v", gs)
	}
	for _, g := range []string{g0, g1} {
		ch := "10"
		if g == g1 {
			ch = "11"
		}
		if _, err := srv.Interact(fakediscord.InteractionSpec{GuildID: g, ChannelID: ch, Command: "ping"}); err != nil {
			t.Fatal(err)
		}
		v := recv(t, got, "interaction")
		want := "0"
		if g == g1 {
			want = "1"
		}
		if v[0] != g || v[1] != want {
			t.Errorf("interaction in guild %s reached shard %s, want %s", v[0], v[1], want)
		}
	}
}

func TestGatewayReconnect(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		breakIt func(*fakediscord.Server)
		resumed bool
	}{
		{"close 4000 resumes", func(srv *fakediscord.Server) { srv.CloseGateway(4000) }, true},
		{"RECONNECT resumes", func(srv *fakediscord.Server) { srv.ReconnectGateway() }, true},
		{"close 4009 identifies anew", func(srv *fakediscord.Server) { srv.CloseGateway(4009) }, false},
		{"INVALID_SESSION identifies anew", func(srv *fakediscord.Server) { srv.InvalidateSessions() }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := fakediscord.New(t)
			srv.AddChannel("5000000000000000001", "5100000000000000001")
			srv.SetCommands("", &discordgo.ApplicationCommand{Name: "ping", Description: "Ping"})
			events := make(chan string, 64)
			openBot(t, srv, func(s *discordgo.Session) {
				s.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) {
					if e.Type == "RESUMED" || e.Type == "TYPING_START" {
						events <- e.Type
					}
				})
				s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { events <- "READY " + r.SessionID })
				s.AddHandler(replyPong)
			})
			first := srv.GatewaySessions()[0].SessionID
			// Break it once the client has sent its first heartbeat: a
			// client whose heartbeat goroutine has not sent yet finds the
			// old connection closed, and discordgo's heartbeat path then
			// closes the new one with 1000 (which ends the session), a race
			// of discordgo's own within the first microseconds of a
			// connection, not what these cases are about.
			for deadline := time.Now().Add(5 * time.Second); srv.GatewaySessions()[0].Heartbeats == 0; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("no heartbeat within 5s")
				}
			}
			c.breakIt(srv)
			// Sent while discordgo is away (it sleeps a second in Close):
			// replayed on RESUME, lost with the session otherwise.
			if c.resumed {
				time.Sleep(50 * time.Millisecond)
				if err := srv.Dispatch("TYPING_START", map[string]any{"channel_id": "5100000000000000001", "user_id": "1"}); err != nil {
					t.Fatal(err)
				}
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				gs := srv.GatewaySessions()
				if len(gs) == 1 && gs[0].Connected && gs[0].Identified &&
					((c.resumed && gs[0].Resumes == 1) || (!c.resumed && gs[0].SessionID != first)) {
					if c.resumed && gs[0].SessionID != first {
						t.Errorf("resumed into session %s, want %s", gs[0].SessionID, first)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no reconnect: %+v", gs)
				}
				time.Sleep(20 * time.Millisecond)
			}
			want := []string{"READY " + srv.GatewaySessions()[0].SessionID}
			if c.resumed {
				want = []string{"TYPING_START", "RESUMED"} // replayed, then RESUMED
			}
			for seen := map[string]bool{}; !seen[want[len(want)-1]] || !seen[want[0]]; {
				seen[recv(t, events, strings.Join(want, " and "))] = true
			}
			in, err := srv.Interact(fakediscord.InteractionSpec{GuildID: "5000000000000000001", ChannelID: "5100000000000000001", Command: "ping"})
			if err != nil {
				t.Fatal(err)
			}
			if r, err := in.Response(5 * time.Second); err != nil || r.Content != "pong" {
				t.Errorf("after reconnect: %+v, %v", r, err)
			}
			noRejections(t, srv)
		})
	}
}

func TestGatewayRawProtocol(t *testing.T) {
	t.Parallel()
	srv := fakediscord.New(t)
	dial := func(query string) *websocket.Conn {
		ws, _, err := websocket.DefaultDialer.Dial(srv.GatewayURL()+"/?"+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		return ws
	}
	read := func(ws *websocket.Conn) map[string]any {
		var m map[string]any
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatalf("read: %v", err)
		}
		return m
	}
	closeCode := func(ws *websocket.Conn) int {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					return ce.Code
				}
				t.Fatalf("read: %v", err)
			}
		}
	}

	ws := dial("v=10&encoding=json")
	hello := read(ws)
	if hello["op"] != float64(10) || hello["d"].(map[string]any)["heartbeat_interval"] != float64(41250) {
		t.Errorf("HELLO = %v", hello)
	}
	_ = ws.WriteJSON(map[string]any{"op": 1, "d": nil})
	if ack := read(ws); ack["op"] != float64(11) {
		t.Errorf("heartbeat answer %v", ack)
	}
	_ = ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": fakediscord.DefaultToken, "intents": 0,
		"properties": map[string]string{"os": "linux"}, "shard": []int{0, 1}}})
	ready := read(ws) // not compressed: compress was not asked for
	d := ready["d"].(map[string]any)
	if ready["t"] != "READY" || ready["s"] != float64(1) || d["v"] != float64(10) || d["shard"] == nil ||
		!strings.HasPrefix(d["resume_gateway_url"].(string), "ws://127.0.0.1:") {
		t.Errorf("READY = %v", ready)
	}
	_ = ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": fakediscord.DefaultToken, "intents": 0}})
	if code := closeCode(ws); code != 4005 {
		t.Errorf("second IDENTIFY: close %d, want 4005", code)
	}

	ws = dial("v=10&encoding=json")
	read(ws)
	_ = ws.WriteJSON(map[string]any{"op": 3, "d": map[string]any{}})
	if code := closeCode(ws); code != 4003 {
		t.Errorf("presence before IDENTIFY: close %d, want 4003", code)
	}
	ws = dial("v=10&encoding=json")
	read(ws)
	_ = ws.WriteMessage(websocket.TextMessage, []byte("{"))
	if code := closeCode(ws); code != 4002 {
		t.Errorf("bad JSON: close %d, want 4002", code)
	}
	ws = dial("v=6&encoding=json")
	if code := closeCode(ws); code != 4012 {
		t.Errorf("v=6: close %d, want 4012", code)
	}
	ws = dial("v=10&encoding=json")
	read(ws)
	_ = ws.WriteJSON(map[string]any{"op": 6, "d": map[string]any{"token": fakediscord.DefaultToken, "session_id": "nope", "seq": 3}})
	if m := read(ws); m["op"] != float64(9) || m["d"] != false {
		t.Errorf("RESUME of unknown session: %v", m)
	}
	if _, _, err := websocket.DefaultDialer.Dial(srv.GatewayURL()+"/?v=10&encoding=json&compress=zlib-stream", nil); err == nil {
		t.Error("zlib-stream accepted")
	}
}

package fakediscord_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/natowatch/natowatch/internal/fakediscord"
)

// session returns a discordgo session with the fake's default token whose
// HTTP client reaches the fake for discordgo's https://discord.com endpoints.
func session(t *testing.T, srv *fakediscord.Server) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + fakediscord.DefaultToken)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = srv.Client()
	return s
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// errorBody is Discord's error shape as the tests read it.
type errorBody struct {
	Message    string          `json:"message"`
	Code       int             `json:"code"`
	Errors     json.RawMessage `json:"errors"`
	RetryAfter float64         `json:"retry_after"`
	Global     bool            `json:"global"`
}

func (r reply) errorBody(t *testing.T) errorBody {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(r.body, &eb); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return eb
}

// do sends body (JSON unless contentType says otherwise) with the bot token
// unless auth is set ("-" for none).
func do(t *testing.T, method, url, body string, hdr ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot "+fakediscord.DefaultToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// restError unwraps a discordgo REST error, failing the test if err is not one.
func restError(t *testing.T, err error) *discordgo.RESTError {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *discordgo.RESTError", err, err)
	}
	return re
}

func noRejections(t *testing.T, srv *fakediscord.Server) {
	t.Helper()
	for _, r := range srv.Rejections() {
		t.Errorf("rejected %s %s: %d %s", r.Method, r.Path, r.Status, r.Reason)
	}
}

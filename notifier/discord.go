// Package notifier renders alerts as Discord messages and sends them, to
// webhooks and to channels (as a bot), through discordgo and its rate
// limiter. It knows the shared release types and nothing of scraping or
// state.
package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/release"
)

// Target is where an alert goes: a webhook URL, a channel id, or a user
// (by direct message); the last two as the bot.
type Target struct {
	Webhook string
	Channel string
	User    string
}

// String names a target without its secret.
func (t Target) String() string {
	switch {
	case t.Channel != "":
		return "channel " + t.Channel
	case t.User != "":
		return "user " + t.User
	}
	return "webhook " + RedactURL(t.Webhook)
}

// Error is a failed send. Its Kind is the one verdict on what to do
// next; Fate says whether the request reached Discord.
type Error struct {
	Kind   Kind
	Fate   Fate
	Status int // HTTP status, for the log; 0 when none came back
	msg    string
}

func (e *Error) Error() string { return e.msg }

// Kind says what to do about a failed send.
type Kind int

const (
	// Retry: try again later (a network error, an unreadable reply, 5xx,
	// 429).
	Retry Kind = iota
	// Gone: the target was deleted or the bot may not post there (401, 403,
	// 404); pause the target and keep its alerts.
	Gone
	// Rejected: this message will never go out (any other 4xx, or a
	// configuration problem such as no bot token or a bad webhook URL).
	Rejected
)

// KindOf is what to do about err: its Kind when it is an *Error, else
// Retry.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Retry
}

// Fate says what is known of whether a failed request reached Discord.
type Fate int

const (
	// Unknown: the request may have reached Discord and no answer came (a
	// timeout, a reset connection), so Discord may have acted on it.
	Unknown Fate = iota
	// NotSent: the request certainly never reached Discord (no connection,
	// a name that does not resolve, a bad URL, no token).
	NotSent
	// Answered: an HTTP error status came back.
	Answered
)

// OutcomeUnknown reports whether a failed request may still have been
// carried out, so that sending it again may make a duplicate.
func OutcomeUnknown(err error) bool {
	var e *Error
	return !errors.As(err, &e) || e.Fate == Unknown
}

// Options configure a Discord notifier.
type Options struct {
	Token   string // bot token, without "Bot "; only needed for channels
	API     string // REST base, e.g. https://discord.com/api/v10
	Timeout time.Duration
	// Transport, if set, carries every request (tests, proxies).
	Transport http.RoundTripper
	// GlobalRate paces the bot's message requests below Discord's global
	// limit (50 per second per bot); 0 means 49. Requests are spaced
	// evenly, without bursts even after a stall (pacer), so no
	// second-long window of Discord's holds more than 50.
	GlobalRate float64
}

// Discord sends alerts. Webhooks and channels use separate sessions, so the
// bot token is never sent to a webhook's host.
type Discord struct {
	api  string
	bot  *discordgo.Session
	hook *discordgo.Session
	tok  string

	mu  sync.Mutex
	dms map[string]string // user id → DM channel id
}

// New returns a Discord notifier.
func New(opt Options) (*Discord, error) {
	if opt.API == "" {
		opt.API = "https://discord.com/api/v10"
	}
	if opt.Timeout == 0 {
		opt.Timeout = 20 * time.Second
	}
	hook, err := discordgo.New("")
	if err != nil {
		return nil, fmt.Errorf("notifier: %w", err)
	}
	hook.Client = &http.Client{Timeout: opt.Timeout, Transport: opt.Transport}
	if opt.GlobalRate == 0 {
		opt.GlobalRate = 49
	}
	d := &Discord{api: strings.TrimRight(opt.API, "/"), hook: hook, tok: opt.Token, dms: map[string]string{}}
	if opt.Token != "" {
		bot, err := discordgo.New("Bot " + opt.Token)
		if err != nil {
			return nil, fmt.Errorf("notifier: %w", err)
		}
		// discordgo's own calls (gateway, commands) go to discord.com; send
		// them to the configured API instead.
		rt, err := RewriteAPI(opt.API, opt.Transport)
		if err != nil {
			return nil, fmt.Errorf("notifier: %w", err)
		}
		bot.Client = &http.Client{Timeout: opt.Timeout, Transport: newPacer(rt, opt.GlobalRate)}
		d.bot = bot
	}
	return d, nil
}

// noToken is the error of a channel or DM target without a bot token:
// final, and nothing was sent.
func noToken(t Target) error {
	return &Error{Kind: Rejected, Fate: NotSent, msg: "notifier: " + t.String() + ": no bot token configured"}
}

// dmChannel returns the DM channel with a user, opening it once.
func (d *Discord) dmChannel(ctx context.Context, user string) (string, error) {
	d.mu.Lock()
	id := d.dms[user]
	d.mu.Unlock()
	if id != "" {
		return id, nil
	}
	body, err := d.bot.RequestWithBucketID("POST", d.api+"/users/@me/channels", map[string]string{"recipient_id": user},
		discordgo.EndpointUserChannels("@me"), discordgo.WithContext(paced(ctx)))
	if err != nil {
		return "", d.classify(err, "POST", Target{User: user})
	}
	var ch struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &ch); err != nil || ch.ID == "" {
		return "", &Error{msg: fmt.Sprintf("notifier: opening a DM with user %s: bad reply", user)}
	}
	d.mu.Lock()
	d.dms[user] = ch.ID
	d.mu.Unlock()
	return ch.ID, nil
}

// Bot returns the bot session (nil without a token), for the gateway.
func (d *Discord) Bot() *discordgo.Session { return d.bot }

// Send posts an alert and returns the new message's id. nonce makes a
// channel post idempotent: Discord returns the first message for a nonce
// it has seen instead of creating another.
func (d *Discord) Send(ctx context.Context, t Target, a release.Alert, nonce string) (string, error) {
	msg := Build(a)
	if t.User != "" {
		if d.bot == nil {
			return "", noToken(t)
		}
		ch, err := d.dmChannel(ctx, t.User)
		if err != nil {
			return "", err
		}
		t = Target{Channel: ch}
	}
	if t.Channel != "" {
		if d.bot == nil {
			return "", noToken(t)
		}
		msg.Nonce, msg.EnforceNonce = nonce, true
		u := d.api + "/channels/" + url.PathEscape(t.Channel) + "/messages"
		return d.do(ctx, d.bot, "POST", u, discordgo.EndpointChannelMessages(t.Channel), msg, t)
	}
	u, bucket, err := webhookURL(t.Webhook, "")
	if err != nil {
		return "", err
	}
	return d.do(ctx, d.hook, "POST", u, bucket, msg, t)
}

// Notice posts a plain operator message (a source failing or recovering).
// The text is escaped and pings nobody.
func (d *Discord) Notice(ctx context.Context, t Target, text string) error {
	msg := Message{Content: Truncate(Escape(text), LimitContent), Embeds: []*discordgo.MessageEmbed{}, AllowedMentions: AllowedMentions{Parse: []string{}}}
	if t.Channel != "" {
		if d.bot == nil {
			return noToken(t)
		}
		u := d.api + "/channels/" + url.PathEscape(t.Channel) + "/messages"
		_, err := d.do(ctx, d.bot, "POST", u, discordgo.EndpointChannelMessages(t.Channel), msg, t)
		return err
	}
	u, bucket, err := webhookURL(t.Webhook, "")
	if err != nil {
		return err
	}
	_, err = d.do(ctx, d.hook, "POST", u, bucket, msg, t)
	return err
}

// Edit replaces the message an earlier alert created. An edit pings
// nobody: its content (the role mentions) is left as it was.
func (d *Discord) Edit(ctx context.Context, t Target, messageID string, a release.Alert) error {
	msg := Build(a)
	msg.Content, msg.AllowedMentions.Roles = "", nil
	if t.User != "" {
		if d.bot == nil {
			return noToken(t)
		}
		ch, err := d.dmChannel(ctx, t.User)
		if err != nil {
			return err
		}
		t = Target{Channel: ch}
	}
	if t.Channel != "" {
		if d.bot == nil {
			return noToken(t)
		}
		u := d.api + "/channels/" + url.PathEscape(t.Channel) + "/messages/" + url.PathEscape(messageID)
		_, err := d.do(ctx, d.bot, "PATCH", u, discordgo.EndpointChannelMessage(t.Channel, ""), msg, t)
		return err
	}
	u, bucket, err := webhookURL(t.Webhook, messageID)
	if err != nil {
		return err
	}
	_, err = d.do(ctx, d.hook, "PATCH", u, bucket, msg, t)
	return err
}

// webhookURL is the webhook's URL as given, with ?wait=true for a post
// (so Discord answers with the message) or /messages/{id} for an edit.
func webhookURL(raw, messageID string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", &Error{Kind: Rejected, Fate: NotSent, msg: "notifier: invalid webhook URL " + RedactURL(raw)}
	}
	bucket := "webhook:" + u.Host + webhookID(u.Path)
	if messageID != "" {
		u.Path = strings.TrimRight(u.Path, "/") + "/messages/" + messageID
		bucket += ":edit"
	} else {
		q := u.Query()
		q.Set("wait", "true")
		u.RawQuery = q.Encode()
	}
	return u.String(), bucket, nil
}

func webhookID(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range parts {
		if s == "webhooks" && i+1 < len(parts) {
			return "/" + parts[i+1]
		}
	}
	return p
}

func (d *Discord) do(ctx context.Context, s *discordgo.Session, method, u, bucket string, msg Message, t Target) (string, error) {
	if s == d.bot {
		// discordgo paces each route, and the global limit only after a
		// 429; the bot's transport (pacer) spaces message requests evenly
		// so that a large fan-out does not hit it at all.
		ctx = paced(ctx)
	}
	body, err := s.RequestWithBucketID(method, u, msg, bucket, discordgo.WithContext(ctx))
	if err != nil {
		return "", d.classify(err, method, t)
	}
	var m struct {
		ID string `json:"id"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			return "", &Error{msg: fmt.Sprintf("notifier: %s %s: reading reply: %v", method, t, err)}
		}
	}
	return m.ID, nil
}

// classify turns discordgo's error into an *Error with every secret
// removed, and what a remote server said (an HTML error page, say) cut to
// a short single line.
func (d *Discord) classify(err error, method string, t Target) error {
	e := &Error{}
	var rest *discordgo.RESTError
	switch {
	case errors.As(err, &rest) && rest.Response != nil:
		e.Status = rest.Response.StatusCode
		e.Fate = Answered
		e.Kind = statusKind(e.Status)
		e.msg = fmt.Sprintf("notifier: %s %s: HTTP %d: %s", method, t, e.Status, Excerpt(string(rest.ResponseBody), 200))
	case notSent(err):
		e.Fate = NotSent
		e.msg = fmt.Sprintf("notifier: %s %s: not sent: %v", method, t, err)
	default:
		e.msg = fmt.Sprintf("notifier: %s %s: %v", method, t, err)
	}
	e.msg = Excerpt(d.redact(e.msg, t), 400)
	return e
}

// statusKind is what an HTTP error status means for the target: 401, 403
// and 404 say it is gone or closed to us, any other 4xx but 429 that this
// message is refused; the rest may pass later.
func statusKind(status int) Kind {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		return Gone
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		return Rejected
	}
	return Retry
}

// notSent reports whether a request's error proves it never left: no
// connection was made (refused, unreachable, the name did not resolve).
func notSent(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial" || errors.Is(err, syscall.ECONNREFUSED)
}

// Excerpt is s on one line, its white space folded, cut to at most max
// bytes (on a rune boundary, "…" added): what a remote server said, fit
// for a log line.
func Excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func (d *Discord) redact(s string, t Target) string {
	if d.tok != "" {
		s = strings.ReplaceAll(s, d.tok, "[REDACTED]")
	}
	if t.Webhook != "" {
		if u, err := url.Parse(t.Webhook); err == nil {
			if tok := webhookToken(u.Path); tok != "" {
				s = strings.ReplaceAll(s, tok, "[REDACTED]")
			}
		}
	}
	return s
}

func webhookToken(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range parts {
		if s == "webhooks" && i+2 < len(parts) {
			return parts[i+2]
		}
	}
	return ""
}

// RedactURL hides a webhook URL's token (and any user info and query).
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[invalid URL]"
	}
	if tok := webhookToken(u.Path); tok != "" {
		u.Path = strings.Replace(u.Path, tok, "REDACTED", 1)
		u.RawPath = ""
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

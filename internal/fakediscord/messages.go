package fakediscord

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// readPayload extracts the JSON payload of a create or edit: the body
// itself, or the payload_json part of a multipart/form-data body (whose
// files[n] parts are noted by name).
func readPayload(r *http.Request, body []byte) (js []byte, files []string, eb *errorBody) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err == nil && mt == "application/json":
		return body, nil, nil
	case err == nil && mt == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		js = []byte("{}")
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return js, files, nil
			}
			if err != nil {
				return nil, nil, &errorBody{Message: "Invalid Form Body", Code: discordFormCode,
					Errors: errorTree([]problem{{code: "MULTIPART_INVALID", message: err.Error()}})}
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, nil, &errorBody{Message: "Invalid Form Body", Code: discordFormCode}
			}
			switch {
			case part.FormName() == "payload_json":
				js = data
			case strings.HasPrefix(part.FormName(), "files["):
				files = append(files, part.FileName())
			}
		}
	}
	return nil, nil, &errorBody{Message: "Invalid Form Body", Code: discordFormCode,
		Errors: errorTree([]problem{{code: "CONTENT_TYPE_INVALID",
			message: `Expected "Content-Type" header to be one of {'application/json', 'multipart/form-data'}.`}})}
}

// check reads and validates a create or edit payload, answering the client
// error itself if there is one.
func (s *Server) check(w http.ResponseWriter, r *http.Request, rt route, body []byte, schema string) (*payload, []byte, []string, bool) {
	js, files, eb := readPayload(r, body)
	if eb != nil {
		s.reject(w, r, rt, body, http.StatusBadRequest, *eb, "unreadable body")
		return nil, nil, nil, false
	}
	if !json.Valid(js) {
		s.reject(w, r, rt, body, http.StatusBadRequest,
			errorBody{Message: "The request body contains invalid JSON.", Code: discordJSONCode}, "invalid JSON")
		return nil, nil, nil, false
	}
	probs, err := validateSchema(schema, js)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Message: err.Error()})
		return nil, nil, nil, false
	}
	var p *payload
	if len(probs) == 0 {
		// The schema passed, so the typed decoding only fails on what the
		// schema leaves open (a top-level non-object, flags beyond int64).
		if p, err = parsePayload(js); err != nil {
			probs = []problem{{code: "BASE_TYPE_INVALID", message: err.Error()}}
		} else {
			probs = checkLimits(p)
		}
	}
	if len(probs) > 0 {
		reasons := make([]string, len(probs))
		for i, pr := range probs {
			reasons[i] = pr.String()
		}
		s.reject(w, r, rt, body, http.StatusBadRequest,
			errorBody{Message: "Invalid Form Body", Code: discordFormCode, Errors: errorTree(probs)},
			schema+": "+strings.Join(reasons, "; "))
		return nil, nil, nil, false
	}
	return p, js, files, true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, rt route, body []byte, schema string) {
	p, js, files, ok := s.check(w, r, rt, body, schema)
	if !ok {
		return
	}
	m := &Message{Channel: rt.target(), Body: bytes.Clone(js), Files: files}
	replyChannel := rt.major
	if rt.isWebhook() {
		m.Webhook = rt.major
		m.ThreadID = r.URL.Query().Get("thread_id")
		if m.ThreadID != "" {
			replyChannel = m.ThreadID
		}
	}
	m.apply(p)
	if !notEmpty(m.Content, embedCount(m.RawEmbeds), p, len(files)) {
		s.reject(w, r, rt, body, http.StatusBadRequest, errorBody{Message: discordEmptyError, Code: discordEmptyCode}, discordEmptyError)
		return
	}
	nonce, hasNonce := p.nonce()
	dedupe := hasNonce && !rt.isWebhook() && p.EnforceNonce != nil && *p.EnforceNonce
	if hasNonce && !rt.isWebhook() {
		m.Nonce = nonce
	}

	s.mu.Lock()
	now := time.Now()
	key := rt.major + "\x00" + nonce
	if e, seen := s.nonces[key]; dedupe && seen && now.Sub(e.seen) < s.cfg.nonceWindow {
		reply := s.byID[e.id].wire(replyChannel)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, reply)
		return
	}
	m.ID, m.Created = s.nextID(now), now
	s.messages = append(s.messages, m)
	s.byID[m.ID] = m
	if dedupe {
		s.nonces[key] = nonceEntry{id: m.ID, seen: now}
	}
	drop := s.takeDrop()
	reply := m.wire(replyChannel)
	s.mu.Unlock()

	switch {
	case drop:
		dropReply(w)
	case rt.isWebhook() && !queryBool(r, "wait"):
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, reply)
	}
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request, rt route, body []byte, schema string) {
	if _, ok := s.lookup(w, r, rt, body); !ok {
		return
	}
	p, js, files, ok := s.check(w, r, rt, body, schema)
	if !ok {
		return
	}
	s.mu.Lock()
	m := s.byID[rt.message]
	next := *m
	next.apply(p)
	if !notEmpty(next.Content, embedCount(next.RawEmbeds), p, len(files)+len(next.Files)) {
		s.record(r, rt, body, http.StatusBadRequest, errorBody{Message: discordEmptyError, Code: discordEmptyCode}, discordEmptyError)
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, errorBody{Message: discordEmptyError, Code: discordEmptyCode})
		return
	}
	next.Edited = time.Now()
	next.Edits = append(next.Edits, bytes.Clone(js))
	*m = next
	drop := s.takeDrop()
	reply := m.wire(replyChannelOf(m, rt))
	s.mu.Unlock()
	if drop {
		dropReply(w)
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, rt route) {
	m, ok := s.lookup(w, r, rt, nil)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, m.wire(replyChannelOf(&m, rt)))
}

// lookup finds the message rt names, if it was created in rt's channel or
// by rt's webhook, and answers 404 Unknown Message otherwise.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request, rt route, body []byte) (Message, bool) {
	s.mu.Lock()
	m, ok := s.byID[rt.message]
	if ok && m.Channel == rt.target() {
		c := m.clone()
		s.mu.Unlock()
		return c, true
	}
	eb := errorBody{Message: "Unknown Message", Code: 10008}
	s.record(r, rt, body, http.StatusNotFound, eb, "message "+rt.message+" not in "+rt.target())
	s.mu.Unlock()
	writeJSON(w, http.StatusNotFound, eb)
	return Message{}, false
}

func replyChannelOf(m *Message, rt route) string {
	if m.ThreadID != "" {
		return m.ThreadID
	}
	return rt.major
}

func queryBool(r *http.Request, key string) bool {
	b, _ := strconv.ParseBool(r.URL.Query().Get(key))
	return b
}

func embedCount(raw json.RawMessage) int {
	var list []json.RawMessage
	_ = json.Unmarshal(raw, &list)
	return len(list)
}

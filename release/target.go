package release

import (
	"fmt"
	"strings"
)

// TargetKind is what sort of place an alert goes to.
type TargetKind string

// The kinds of targets.
const (
	TargetChannel TargetKind = "channel" // a Discord channel, by id
	TargetWebhook TargetKind = "webhook" // a webhook, by a hash of its URL
	TargetDM      TargetKind = "dm"      // a member's direct messages, by user id
)

// Target is where an alert goes. ID is a channel id, a user id, or a
// webhook's hashed name: never the webhook's secret URL. A Target with no
// Kind is a stored key that is not a target's (ParseTarget refused it):
// ID holds it, so that it can be looked up and given up.
type Target struct {
	Kind TargetKind
	ID   string
}

// Key is the target as the state stores it: "channel:123".
func (t Target) Key() string {
	if t.Kind == "" {
		return t.ID
	}
	return string(t.Kind) + ":" + t.ID
}

// String is Key, for logs and errors.
func (t Target) String() string { return t.Key() }

// MarshalText writes Key, so that logs and JSON show the key.
func (t Target) MarshalText() ([]byte, error) { return []byte(t.Key()), nil }

// ParseTarget reads a key that Key wrote.
func ParseTarget(key string) (Target, error) {
	kind, id, ok := strings.Cut(key, ":")
	switch k := TargetKind(kind); {
	case !ok || id == "":
	case k == TargetChannel, k == TargetWebhook, k == TargetDM:
		return Target{Kind: k, ID: id}, nil
	}
	return Target{}, fmt.Errorf("not a target: %q", key)
}

package release

import (
	"fmt"
	"strings"
)

// TargetKind is what a target is: a channel the bot posts in, a webhook,
// or a member's direct messages.
type TargetKind string

// The kinds of target.
const (
	TargetChannel TargetKind = "channel"
	TargetWebhook TargetKind = "webhook"
	TargetDM      TargetKind = "dm"
)

// Target is where alerts go: a channel id, a member's user id, or a
// webhook's hashed name (never its secret URL).
type Target struct {
	Kind TargetKind
	ID   string
}

// Key is the target as the state stores it: "channel:123".
func (t Target) Key() string { return string(t.Kind) + ":" + t.ID }

func (t Target) String() string { return t.Key() }

// ParseTarget reads a Key.
func ParseTarget(key string) (Target, error) {
	kind, id, ok := strings.Cut(key, ":")
	switch k := TargetKind(kind); {
	case !ok || id == "":
	case k == TargetChannel, k == TargetWebhook, k == TargetDM:
		return Target{k, id}, nil
	}
	return Target{}, fmt.Errorf("not a target: %q", key)
}

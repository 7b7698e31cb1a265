package release

import "testing"

func TestTargetKey(t *testing.T) {
	for _, key := range []string{"channel:100000000000000001", "webhook:3f2a", "dm:42"} {
		got, err := ParseTarget(key)
		if err != nil || got.Key() != key {
			t.Errorf("ParseTarget(%q) = %v, %v; want the key back", key, got, err)
		}
	}
	for _, key := range []string{"", "channel:", "dry-run", "room:1"} {
		if got, err := ParseTarget(key); err == nil {
			t.Errorf("ParseTarget(%q) = %v, want an error", key, got)
		}
		if got := (Target{ID: key}).Key(); got != key {
			t.Errorf("a kindless target's key is %q, want %q", got, key)
		}
	}
}

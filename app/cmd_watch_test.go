package app

import "testing"

func TestValidWatchName(t *testing.T) {
	for name, want := range map[string]bool{
		"korea": true, "a": true, "ukraine-2026": true, "ça_va": true, "κορέα": true, "9": true,
		"": false, "-x": false, "_x": false, "Korea": false, "a b": false, "a.b": false,
		"abcdefghijabcdefghijabcdefghij12": true, "abcdefghijabcdefghijabcdefghij123": false, "\xff": false,
	} {
		if got := validWatchName(name); got != want {
			t.Errorf("validWatchName(%q) = %v, want %v", name, got, want)
		}
	}
}

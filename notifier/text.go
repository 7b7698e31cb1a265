package notifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes release text inert in Discord: markdown characters are
// backslash-escaped, and mentions (@everyone, @here, <@id>, <@&id>, <#id>)
// get a zero-width space after "@" (or after "<" for channels and emoji)
// so they can neither ping nor render.
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	lineStart := true
	for i, r := range s {
		switch {
		case r == '\\' || r == '*' || r == '_' || r == '~' || r == '`' || r == '|' || r == '[' || r == ']':
			b.WriteByte('\\')
			b.WriteRune(r)
		case lineStart && (r == '>' || r == '#' || r == '-' || r == '+'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '@' || r == '\uFF20' || r == '\uFE6B': // @ and its look-alikes
			b.WriteRune(r)
			b.WriteRune('\u200b')
		case r == '<' && i+1 < len(s) && strings.ContainsRune("#:", rune(s[i+1])):
			b.WriteRune(r)
			b.WriteRune('\u200b')
		case r == '\u200b' || r == '\u202e' || r == '\u202d': // invisible or direction overrides
			continue
		case unicode.IsControl(r) && r != '\n':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
		lineStart = r == '\n' || (lineStart && r == ' ')
	}
	return b.String()
}

// Truncate cuts s to at most max runes, on a word boundary where one is
// near, ending with "…". It never leaves a dangling escape backslash.
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	cut := max - 1 // room for the ellipsis
	end := cut
	for i := cut; i >= cut/2 && i > 0; i-- {
		if unicode.IsSpace(runes[i]) {
			end = i
			break
		}
	}
	out := strings.TrimRightFunc(string(runes[:end]), unicode.IsSpace)
	// An odd run of trailing backslashes would escape the ellipsis.
	n := len(out) - len(strings.TrimRight(out, "\\"))
	if n%2 == 1 {
		out = out[:len(out)-1]
	}
	return out + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

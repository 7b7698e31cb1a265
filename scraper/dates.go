package scraper

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxDateInput bounds the text ParseDate looks at: a date line, not a page.
const maxDateInput = 512

// maxDateTokens is the longest run of words a date can span
// ("Jan 2, 2006 3:04 PM -0700").
const maxDateTokens = 6

// monthWords maps every month spelling ParseDate knows (lower case, without a
// trailing period) to the abbreviation Go's time layouts read.
var monthWords = map[string]string{
	"january": "Jan", "jan": "Jan", "janvier": "Jan", "janv": "Jan",
	"february": "Feb", "feb": "Feb", "février": "Feb", "fevrier": "Feb", "févr": "Feb", "fevr": "Feb", "fév": "Feb", "fev": "Feb",
	"march": "Mar", "mar": "Mar", "mars": "Mar",
	"april": "Apr", "apr": "Apr", "avril": "Apr", "avr": "Apr",
	"may": "May", "mai": "May",
	"june": "Jun", "jun": "Jun", "juin": "Jun",
	"july": "Jul", "jul": "Jul", "juillet": "Jul", "juil": "Jul",
	"august": "Aug", "aug": "Aug", "août": "Aug", "aout": "Aug",
	"september": "Sep", "sep": "Sep", "sept": "Sep", "septembre": "Sep",
	"october": "Oct", "oct": "Oct", "octobre": "Oct",
	"november": "Nov", "nov": "Nov", "novembre": "Nov",
	"december": "Dec", "dec": "Dec", "décembre": "Dec", "decembre": "Dec", "déc": "Dec",
}

// weekdayWords are dropped: Go only checks a weekday's syntax, and feeds get
// them wrong anyway.
var weekdayWords = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
}

// zoneWords are the zone abbreviations turned into numeric offsets. Go's own
// parsing would give unknown abbreviations a silent zero offset.
var zoneWords = map[string]string{
	"Z": "+0000", "UT": "+0000", "UTC": "+0000", "GMT": "+0000",
	"WET": "+0000", "BST": "+0100", "CET": "+0100", "CEST": "+0200", "EET": "+0200", "EEST": "+0300",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
}

var (
	ordinalRE  = lazyRegexp(`^(\d{1,2})(?:st|nd|rd|th|er)(,?)$`)
	colonZone  = lazyRegexp(`^([+-]\d{2}):(\d{2})$`)
	clockToken = lazyRegexp(`^\d{1,2}:\d{2}`)
	dateLayout = buildLayouts()
)

// buildLayouts lists the layouts tried on a normalised candidate: every date
// spelling, alone or followed by a time, the time optionally by an offset;
// then the ISO 8601 forms with a "T".
func buildLayouts() []string {
	dates := []string{"2 Jan 2006", "2-Jan-2006", "Jan 2, 2006", "Jan 2 2006", "2006-01-02", "1/2/2006"}
	clocks := []string{" 15:04", " 15:04:05", " 3:04 PM", " 3:04PM"}
	zones := []string{"", " -0700", " -07:00"}
	var out []string
	for _, d := range dates {
		out = append(out, d)
		for _, c := range clocks {
			for _, z := range zones {
				out = append(out, d+c+z)
			}
		}
	}
	return append(out,
		"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05-0700", "2006-01-02T15:04-0700",
		"2006-01-02T15:04:05", "2006-01-02T15:04",
	)
}

// ParseDate parses the date spellings NATO and feeds use, in UTC unless a
// zone is given: "07 Aug. 2025", "24 May. 2017", "19 Sep. 2025 12:00:00 GMT"
// (the old RSS pubDate), "27-Apr.-2017", "25-May-2017 09:01",
// "Last updated: 13 Mar. 2017 17:35", "07 July 2026", "July 7, 2026",
// RFC 1123/822 with four-digit years (with or without weekday, numeric or
// named zones), RFC 3339 / ISO 8601, Public's month-first "11/02/2017 03:34",
// "Sept.", and French month names ("7 juillet 2026", "07 juil. 2026").
//
// Surrounding text is tolerated: the first (leftmost) date in s is taken,
// with as much of the time and zone as follows it. A date followed by a clock
// that cannot be read is an error, not a silent midnight. Two-digit years are
// not accepted. A zero offset is returned as UTC.
func ParseDate(s string) (time.Time, error) {
	t, st, clock, cand := parseDateAt(s)
	switch st {
	case dateOK:
		return t, nil
	case dateTooLong:
		return time.Time{}, fmt.Errorf("scraper: parse date %s: input longer than %d bytes", quoteShort(s), maxDateInput)
	case dateBadClock:
		return time.Time{}, fmt.Errorf("scraper: parse date %s: unreadable time %q after %q", quoteShort(s), clock, cand)
	}
	return time.Time{}, fmt.Errorf("scraper: parse date %s: no recognisable date", quoteShort(s))
}

// How parseDateAt ends.
const (
	dateOK = iota
	dateNone
	dateTooLong
	dateBadClock // a date, then a clock that cannot be read
)

// parseDate is ParseDate without the error, for callers that drop it.
func parseDate(s string) (time.Time, bool) {
	t, st, _, _ := parseDateAt(s)
	return t, st == dateOK
}

// parseDateAt is ParseDate's work: the date, or why there is none (with
// the clock token and the date before it, for dateBadClock).
func parseDateAt(s string) (t time.Time, st int, clock, date string) {
	if len(s) > maxDateInput {
		return time.Time{}, dateTooLong, "", ""
	}
	if !hasYearDigits(s) {
		// Every layout has a four-digit year: without four digits in a
		// row there is nothing to try (a fast path for the many lines of
		// text that are not dates).
		return time.Time{}, dateNone, "", ""
	}
	toks, years := dateTokens(s)
	for i := range toks {
		for n := min(maxDateTokens, len(toks)-i); n >= 1; n-- {
			// A candidate needs a token with a year in it.
			if !anyYear(years[i : i+n]) {
				continue
			}
			cand := strings.Trim(strings.Join(toks[i:i+n], " "), "()[],;:|")
			cand = strings.TrimRight(cand, ".")
			t, ok := parseCandidate(cand)
			if !ok {
				continue
			}
			if j := i + n; j < len(toks) && clockToken().MatchString(toks[j]) {
				return time.Time{}, dateBadClock, toks[j], cand
			}
			return t, dateOK, "", ""
		}
	}
	return time.Time{}, dateNone, "", ""
}

func anyYear(ys []bool) bool {
	for _, y := range ys {
		if y {
			return true
		}
	}
	return false
}

func parseCandidate(c string) (time.Time, bool) {
	// Every layout starts with a digit or a capitalised month.
	if c == "" || !(c[0] >= '0' && c[0] <= '9' || c[0] >= 'A' && c[0] <= 'Z') || !hasYearDigits(c) {
		return time.Time{}, false
	}
	for _, layout := range layoutsFor(c) {
		t, err := time.ParseInLocation(layout, c, time.UTC)
		if err != nil {
			continue
		}
		if t.Year() < 1000 {
			return time.Time{}, false // "0001-01-01" is a placeholder, not a date
		}
		if _, off := t.Zone(); off == 0 {
			t = t.UTC()
		}
		return t, true
	}
	return time.Time{}, false
}

// Layout groups: dateLayout split by how a layout starts, each in
// dateLayout's order, for layoutsFor.
var (
	monthFirst    = layoutsWithPrefix("Jan ")
	daySpaceFirst = layoutsWithPrefix("2 Jan")
	dayDashFirst  = layoutsWithPrefix("2-Jan")
	slashFirst    = layoutsWithPrefix("1/2/2006")
	isoDate       = layoutsWithPrefix("2006-01-02", "2006-01-02 ")
	isoDateTime   = layoutsWithPrefix("2006-01-02T")
)

func layoutsWithPrefix(prefixes ...string) []string {
	var out []string
	for _, l := range dateLayout {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) && (p != "2006-01-02" || l == p) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// layoutsFor returns the group of layouts whose first field can read c
// (which starts with a digit or an upper-case letter), by how c starts: a
// month name; a day or Public's month and " ", "-" or "/"; a year and "-".
// ParseDate tries only that group: a date is tried against tens of
// layouts. TestLayoutGroupsAgree holds it to what trying them all reads.
func layoutsFor(c string) []string {
	if c[0] >= 'A' && c[0] <= 'Z' {
		return monthFirst
	}
	d := 0
	for d < len(c) && c[d] >= '0' && c[d] <= '9' {
		d++
	}
	if d == len(c) {
		return nil
	}
	switch {
	case d <= 2 && c[d] == ' ':
		return daySpaceFirst
	case d <= 2 && c[d] == '-':
		return dayDashFirst
	case d <= 2 && c[d] == '/':
		return slashFirst
	case d == 4 && c[d] == '-' && len(c) > 10 && c[10] == 'T':
		return isoDateTime
	case d == 4 && c[d] == '-':
		return isoDate
	}
	return nil
}

// hasYearDigits reports whether s has four ASCII digits in a row, as every
// date layout's year needs. The invisible characters dateTokens deletes
// (U+200B, U+FEFF) do not break a run, since deleting them joins it.
func hasYearDigits(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if run++; run == 4 {
				return true
			}
		case strings.HasPrefix(s[i:], "\u200b"), strings.HasPrefix(s[i:], "\ufeff"):
			i += 2
		default:
			run = 0
		}
	}
	return false
}

// dateSpaces makes invisible characters and dashes in dates plain.
var dateSpaces = strings.NewReplacer("\u200b", "", "\ufeff", "", "\u00a0", " ", "\u202f", " ", "\u2009", " ",
	"\u2013", " - ", "\u2014", " - ")

// dateTokens normalises s and splits it into words: invisible characters and
// NBSP become spaces, month names become "Jan"…"Dec" (dropping their period),
// weekdays go, ordinals lose their suffix, zone names become offsets. years
// tells the words with four digits in a row.
func dateTokens(s string) (toks []string, years []bool) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = dateSpaces.Replace(s)
	s = dateWords().ReplaceAllStringFunc(s, dateWord)
	toks = strings.Fields(s)
	years = make([]bool, len(toks))
	for i, t := range toks {
		if z, ok := zoneWords[strings.Trim(t, "()")]; ok {
			toks[i] = z
		} else if (t[0] == '+' || t[0] == '-') && len(t) == 6 {
			if m := colonZone().FindStringSubmatch(t); m != nil {
				toks[i] = m[1] + m[2]
			}
		} else if '0' <= t[0] && t[0] <= '9' {
			if m := ordinalRE().FindStringSubmatch(t); m != nil {
				toks[i] = m[1] + m[2]
			}
		}
		years[i] = hasYearDigits(toks[i])
	}
	return toks, years
}

// dateWords are runs of letters, with the period after one.
var dateWords = lazyRegexp(`\p{L}+\.?`)

// dateWord is a month's abbreviation for its name, " " for a weekday, the
// word itself else.
func dateWord(w string) string {
	key := strings.ToLower(strings.TrimSuffix(w, "."))
	if m, ok := monthWords[key]; ok {
		return m
	}
	if weekdayWords[key] {
		return " "
	}
	return w
}

func quoteShort(s string) string {
	const limit = 80
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

// DateFromURL finds a /YYYY/MM/DD/ segment in a URL's path (the new nato.int
// item URLs) and returns that date at UTC midnight. ok is false when there is
// none or the date does not exist (month 13, 31 April…). The day may end the
// path. The first valid segment wins.
func DateFromURL(u string) (time.Time, bool) {
	p := u
	if pu, err := url.Parse(u); err == nil {
		p = pu.Path
	} else if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	seg := strings.Split(p, "/")
	for i := 0; i+2 < len(seg); i++ {
		y, okY := digits(seg[i], 4)
		m, okM := digits(seg[i+1], 2)
		d, okD := digits(seg[i+2], 2)
		if !okY || !okM || !okD || y < 1000 {
			continue
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Year() == y && int(t.Month()) == m && t.Day() == d {
			return t, true
		}
	}
	return time.Time{}, false
}

// digits reads s as a number of exactly n ASCII digits.
func digits(s string, n int) (int, bool) {
	if len(s) != n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// monthFromURL finds the /YYYY/MM/ segment of an event page's path
// (/en/news-and-events/events/2026/10/<slug>) and returns the first of that
// month; ok is false when there is none.
func monthFromURL(path string) (time.Time, bool) {
	seg := strings.Split(path, "/")
	for i := 0; i+1 < len(seg); i++ {
		y, okY := digits(seg[i], 4)
		m, okM := digits(seg[i+1], 2)
		if okY && okM && y >= 1000 && m >= 1 && m <= 12 {
			return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

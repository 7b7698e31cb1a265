//go:build race

package scraper

// raceEnabled is set when the tests run with the race detector, which
// makes the random comparison tests take their smaller sizes.
const raceEnabled = true

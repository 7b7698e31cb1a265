// Package summary turns a release into the parts of a compact alert: a short
// extractive summary (Summarize), key quotes with who said them (Quotes) and
// watch-keyword matches (Matcher).
//
// Everything here is deterministic, offline and uses only the standard
// library.
//
// Decisions:
//
//   - Sentence splitting is a hand-written rule-based splitter (split.go),
//     not github.com/neurosnap/sentences. The Punkt model does handle the
//     basic cases, but it costs a JSON model load (about 15 ms, once) and is
//     a trained black box where alerts need rules they can rely on and test
//     (speaker labels, curly quotes, "No. 5", "U.S." before a title), and it
//     would be the package's only dependency. The splitter works on
//     whitespace-separated words and decides at each word ending in
//     . ! ? or … with an abbreviation list
//     (abbrev.go), initials, list numbers, and a look at the next word.
//   - Ranking is LexRank-style: tf-idf word vectors (lower-cased, diacritics
//     folded, stop words removed, light suffix stemming), cosine similarity,
//     weighted PageRank with damping 0.85 until convergence; the score is
//     then mixed with a lead bias (weaker for speeches, which open with
//     pleasantries), cosine similarity to the title and a small bonus for
//     news cue words such as "announced", "agreed", "condemned" (rank.go).
//   - Watch matching folds case with Unicode simple folding and also folds
//     diacritics (so "Geoana" and "Geoană" match each other, precomposed or
//     with combining marks), typographic apostrophes and hyphens to ASCII,
//     and any run of whitespace to one space. Matches are whole words: a
//     term that starts or ends with a letter or digit needs a non-word rune
//     (or the edge of the sentence) beside it, so "NATO" matches "NATO's"
//     and "NATO-led" but not "NATOs" or "SENATOR". Plurals are not
//     guessed: list "drone" and "drones" to match both.
//   - Terms are found in one pass over folded runes with an index built
//     once per Matcher. A term that starts with a letter or digit can
//     match only where a word starts, so it is looked up a word at a time
//     in a trie over words and the runs between them (wordindex.go): a
//     hash lookup per step, whatever the number of terms. The few that
//     start with another rune go through an Aho–Corasick automaton
//     (ahocorasick.go). Each paragraph of a release is folded and
//     scanned once for all terms and excludes, and only a paragraph with
//     an occurrence not seen before is split into sentences (and those
//     scanned) to place it. Only a term's first whole-word occurrence can
//     decide anything.
//   - Summarize and Quotes share their reading of the body (Digest does
//     it once for both); ranking works on integer term ids, and keeps the
//     order of every floating-point sum, so ties fall as they always did.
//   - Who speaks (speakers.go, turns.go): the main speaker comes from the
//     by-line ("by NATO Secretary General Mark Rutte at …"), else the
//     title, else a speaker line ("Mark Rutte, NATO Secretary General"),
//     else r.Speakers and labels that are not a host's or questioner's.
//     Speaker labels ("NATO Secretary General Mark Rutte:", "Q:", a bold
//     label the scraper made "Name:", "Name [Role]:", "Name, Role") open
//     turns that last until the next label; paragraphs before any label
//     are the main speaker's. Hosts, chairs, journalists and questioners
//     are told by label words (moderator, chairman …), an outlet in
//     brackets or after a comma, a question, or an opening that
//     introduces; their words are never the summary nor a key quote.
//   - A quotation is a unit: the splitter never ends a sentence inside a
//     closed one; a quotation over paragraphs or interrupted by its
//     attribution is one quote; pieces of quotations and quoted speech
//     are never the summary, which is narration.
//   - Attribution (attribution.go): reporting verbs before or after the
//     quotation; "the Secretary General", "Mr Stoltenberg" resolve to the
//     fullest form the narration named before, "he"/"she" to the last
//     person named at the head of a sentence or credited with a quote. A
//     quotation whose speaker stays unknown is not shown: a quote with the
//     wrong speaker is worse than none.
//   - Salience (salience.go): condemnations, demands, warnings,
//     decisions and numbers rank higher; thanks, greetings, compliments,
//     media logistics and talk about the talk never make a summary or a
//     key quote; a sentence opening on And/But/So only follows the one
//     before it.
//   - Quality is measured on real NATO texts in testdata/corpus (see
//     QUALITY.md at the top of the repository).
//
// Limits: only double quotation marks (“ ” " „ « ») delimit quotes, since
// single ones are mostly apostrophes and scare quotes; people are told
// apart by their name and role words, not by grammar, so "he" after two
// people named in one sentence is the first; a term or exclude is found
// only within one sentence; the ranker looks at the first 300 candidate
// sentences.
package summary

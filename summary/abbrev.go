package summary

// Abbreviation classes used by the splitter. Keys are lower case, without
// the final period (internal periods kept: "e.g", "u.s").

// neverFinal abbreviations are (almost) never the last word of a sentence:
// titles before a name and Latin connectives.
var neverFinal = setOf(
	"mr", "mrs", "ms", "mx", "dr", "prof", "gen", "lt", "col", "maj", "capt",
	"cpt", "adm", "sgt", "cpl", "pvt", "cdr", "cmdr", "brig", "rev", "hon",
	"st", "mt", "sen", "rep", "gov", "amb", "pres", "supt", "insp", "messrs",
	"e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "resp", "incl",
	"lt.gen", "maj.gen", "brig.gen", "lt.col",
)

// beforeNumber abbreviations are not final when a number follows them:
// "No. 5", "Art. 5", "Jan. 12".
var beforeNumber = setOf(
	"no", "nos", "art", "arts", "para", "paras", "fig", "figs", "vol", "vols",
	"p", "pp", "sec", "ch", "op", "ref", "nr",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
	"nov", "dec",
)

// maybeFinal abbreviations often end a sentence: split after them when the
// next word is capitalised (and is not an all-caps code such as "CET").
var maybeFinal = setOf(
	"a.m", "p.m", "etc", "inc", "ltd", "co", "corp", "jr", "sr", "plc",
	"bros", "dept", "est", "govt", "intl",
)

// sentenceStarters are capitalised words that usually begin a sentence.
// After an upper-case dotted acronym ("U.S.") the splitter only splits when
// one of these follows, so "the U.S. Secretary of State" stays whole.
var sentenceStarters = setOf(
	"the", "this", "that", "these", "those", "it", "its", "we", "i", "he",
	"she", "they", "our", "my", "his", "her", "their", "in", "on", "at",
	"but", "and", "so", "yet", "there", "here", "today", "now", "a", "an", "as", "after", "before", "while", "when", "since",
	"for", "with", "without", "all", "both", "each", "every", "no", "not",
	"many", "some", "one", "two", "what", "how", "why", "if", "also",
	"however", "moreover", "meanwhile", "then", "you", "let", "such",
)

// speechVerbs introduce or close quoted speech.
var speechVerbs = setOf(
	"said", "says", "say", "added", "adds", "stressed", "stresses", "noted",
	"notes", "underlined", "underlines", "told", "tells", "explained",
	"explains", "emphasised", "emphasized", "emphasises", "emphasizes",
	"highlighted", "highlights", "warned", "warns", "stated", "states",
	"declared", "declares", "insisted", "insists", "continued", "continues",
	"concluded", "concludes", "remarked", "observed", "affirmed", "announced",
	"urged", "urges", "asked", "asks", "replied", "commented", "wrote",
	"writes", "recalled", "reiterated", "reiterates", "acknowledged",
	"confirmed", "confirms", "pointed", "underscored", "underscores",
	"conveyed", "conveys", "welcomed", "welcomes", "cautioned", "cautions",
	"argued", "argues", "announces", "declares", "emphasises", "reaffirmed",
	"reaffirms", "assured", "assures", "vowed", "vows", "appealed", "appeals",
	"called", "calls", "clarified", "praised", "praises", "hailed",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

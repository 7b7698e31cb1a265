package summary

// stopWords are folded English function words left out of ranking vectors.
var stopWords = setOf(
	"a", "about", "above", "after", "again", "against", "all", "also", "am",
	"an", "and", "any", "are", "as", "at", "be", "because", "been", "before",
	"being", "below", "between", "both", "but", "by", "can", "could", "did",
	"do", "does", "doing", "down", "during", "each", "even", "ever", "few",
	"for", "from", "further", "had", "has", "have", "having", "he", "her",
	"here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
	"into", "is", "it", "its", "itself", "just", "like", "ll", "may", "me",
	"might", "more", "most", "much", "must", "my", "myself", "no", "nor",
	"not", "now", "of", "off", "on", "once", "one", "only", "or", "other",
	"our", "ours", "ourselves", "out", "over", "own", "re", "same", "shall",
	"she", "should", "so", "some", "such", "than", "that", "the", "their",
	"theirs", "them", "themselves", "then", "there", "these", "they", "this",
	"those", "through", "to", "too", "under", "until", "up", "us", "ve",
	"very", "was", "we", "were", "what", "when", "where", "which", "while",
	"who", "whom", "why", "will", "with", "would", "yet", "you", "your",
	"yours", "yourself", "today", "well", "let", "said", "says", "s", "t",
	"d", "m", "don", "doesn", "isn", "aren", "won",
)

package dumpgen

import "math/rand/v2"

// textsDef is a text-heavy table: multi-byte UTF-8 (CJK, emoji with
// modifiers), quotes and backslashes, in _ci indexed columns.
var textsDef = &tableDef{
	name:    "texts",
	columns: []string{"id", "title", "body", "tags"},
	create: "CREATE TABLE `texts` (\n" +
		"  `id` bigint NOT NULL,\n" +
		"  `title` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,\n" +
		"  `body` text DEFAULT NULL,\n" +
		"  `tags` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL,\n" +
		"  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */,\n" +
		"  KEY `idx_title` (`title`),\n" +
		"  KEY `idx_tags` (`tags`)" + tableTail,
	avgRow:    2300,
	newSource: func(rng *rand.Rand, _ int64) rowSource { return &textsSource{rng: rng} },
}

var (
	textWords = []string{
		"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Lorem", "ipsum",
		"dolor", "sit", "amet", "database", "import", "Kafka", "TiKV", "region", "split",
		"It's", "\"quoted\"", "back\\slash", "C:\\path\\to", "'single'", "O'Reilly",
		"café", "naïve", "façade", "Ærøskøbing", "straße", "Ελληνικά", "Русский", "עברית", "العربية",
		"数据", "导入", "分布式", "数据库", "東京", "日本語", "ひらがな", "カタカナ", "한국어", "데이터베이스",
		"🚀", "😀", "🎉", "👍🏽", "👨‍👩‍👧", "🇯🇵", "∑", "∞", "≠", "€", "½",
	}
	// textBreaks are put between sentences in body: newlines, a tab, a
	// carriage return, the NUL and Ctrl-Z bytes SQL dumps escape.
	textBreaks = []string{". ", ".\n", "!\n\n", "?\r\n", ";\t", ". \x00", " \x1a ", "\\n literal. "}
	textTags   = []string{"go", "tidb", "kafka", "import", "测试", "数据", "emoji😀", "ü", "a'b", `c"d`, `e\f`, "x,y", "long-tag-name", "UPPER", "lower"}
)

type textsSource struct {
	rng *rand.Rand
	id  int64
}

func (s *textsSource) next(r *row) {
	s.id++
	rng := s.rng
	r.int(s.id)

	// title: up to 200 characters, never empty.
	st := r.begin()
	r.buf = appendWords(r.buf, rng, textWords, " ", 10+rng.IntN(170), 200, 1<<20)
	r.end(kindString, st)

	// body: sentences up to ~4 KB, NULL now and then.
	if rng.IntN(50) == 0 {
		r.null()
	} else {
		st = r.begin()
		target := 100 + rng.IntN(3900)
		for len(r.buf)-st < target {
			r.buf = appendWords(r.buf, rng, textWords, " ", 3+rng.IntN(20), 1<<20, 1<<20)
			r.buf = append(r.buf, textBreaks[rng.IntN(len(textBreaks))]...)
		}
		r.end(kindString, st)
	}

	// tags: comma-separated, up to 100 characters; empty or NULL at times.
	switch rng.IntN(20) {
	case 0:
		r.null()
	case 1:
		r.str("")
	default:
		st = r.begin()
		r.buf = appendWords(r.buf, rng, textTags, ",", 1+rng.IntN(60), 100, 1<<20)
		r.end(kindString, st)
	}
}

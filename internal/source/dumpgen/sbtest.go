package dumpgen

import "math/rand/v2"

// sbtestDef is sysbench's oltp table (sysbench src/lua/oltp_common.lua):
// c is ten and pad five groups of 11 random digits joined by '-'.
var sbtestDef = &tableDef{
	name:    "sbtest",
	columns: []string{"id", "k", "c", "pad"},
	create: "CREATE TABLE `sbtest` (\n" +
		"  `id` int NOT NULL AUTO_INCREMENT,\n" +
		"  `k` int NOT NULL DEFAULT '0',\n" +
		"  `c` char(120) NOT NULL DEFAULT '',\n" +
		"  `pad` char(60) NOT NULL DEFAULT '',\n" +
		"  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */,\n" +
		"  KEY `k_1` (`k`)" + tableTail,
	avgRow:    205,
	newSource: func(rng *rand.Rand, est int64) rowSource { return &sbtestSource{rng: rng, kMax: max(est, 1)} },
}

type sbtestSource struct {
	rng  *rand.Rand
	id   int64
	kMax int64
}

func (s *sbtestSource) next(r *row) {
	s.id++
	r.int(s.id)
	// sysbench draws k uniformly from [1, table_size].
	r.int(1 + s.rng.Int64N(s.kMax))
	st := r.begin()
	r.buf = appendDigitGroups(r.buf, s.rng, 10)
	r.end(kindString, st)
	st = r.begin()
	r.buf = appendDigitGroups(r.buf, s.rng, 5)
	r.end(kindString, st)
}

// appendDigitGroups appends n groups of 11 random digits joined by '-'.
func appendDigitGroups(dst []byte, rng *rand.Rand, n int) []byte {
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, '-')
		}
		dst = appendPadded(dst, rng.Uint64N(1e11), 11)
	}
	return dst
}

package dumpgen

import "math/rand/v2"

// orderlineDef is TPC-C's ORDER_LINE table as go-tpc creates it, with the
// rows of an initial TPC-C load (TPC-C 4.3.3.1): 10 districts per
// warehouse, 3000 orders per district, 5 to 15 lines per order, and the
// last 900 orders of each district undelivered (NULL date, non-zero
// amount).
var orderlineDef = &tableDef{
	name: "orderline",
	columns: []string{"ol_w_id", "ol_d_id", "ol_o_id", "ol_number", "ol_i_id",
		"ol_supply_w_id", "ol_delivery_d", "ol_quantity", "ol_amount", "ol_dist_info"},
	create: "CREATE TABLE `orderline` (\n" +
		"  `ol_w_id` int NOT NULL,\n" +
		"  `ol_d_id` int NOT NULL,\n" +
		"  `ol_o_id` int NOT NULL,\n" +
		"  `ol_number` int NOT NULL,\n" +
		"  `ol_i_id` int NOT NULL,\n" +
		"  `ol_supply_w_id` int DEFAULT NULL,\n" +
		"  `ol_delivery_d` datetime DEFAULT NULL,\n" +
		"  `ol_quantity` int DEFAULT NULL,\n" +
		"  `ol_amount` decimal(6,2) DEFAULT NULL,\n" +
		"  `ol_dist_info` char(24) DEFAULT NULL,\n" +
		"  PRIMARY KEY (`ol_w_id`,`ol_d_id`,`ol_o_id`,`ol_number`) /*T![clustered_index] CLUSTERED */" + tableTail,
	avgRow:    90,
	newSource: func(rng *rand.Rand, _ int64) rowSource { return &orderlineSource{rng: rng, w: 1, d: 1, o: 0} },
}

const (
	tpccDistricts   = 10
	tpccOrders      = 3000
	tpccUndelivered = 900
	tpccItems       = 100000
)

type orderlineSource struct {
	rng               *rand.Rand
	w, d, o, n, lines int
}

func (s *orderlineSource) advance() {
	s.n++
	if s.n <= s.lines {
		return
	}
	s.n = 1
	s.lines = 5 + s.rng.IntN(11)
	s.o++
	if s.o <= tpccOrders {
		return
	}
	s.o = 1
	s.d++
	if s.d <= tpccDistricts {
		return
	}
	s.d = 1
	s.w++
}

// loadTime is the fixed "now" of the generated load, 2024-01-01 00:00:00
// UTC in seconds, so dates do not depend on when the generator runs.
const loadTime = 1704067200

func (s *orderlineSource) next(r *row) {
	s.advance()
	rng := s.rng
	r.int(int64(s.w))
	r.int(int64(s.d))
	r.int(int64(s.o))
	r.int(int64(s.n))
	r.int(1 + rng.Int64N(tpccItems))
	r.int(int64(s.w))
	delivered := s.o <= tpccOrders-tpccUndelivered
	if delivered {
		st := r.begin()
		r.buf = appendDateTime(r.buf, loadTime-rng.Int64N(90*86400), 0, 0)
		r.end(kindString, st)
	} else {
		r.null()
	}
	r.int(5)
	st := r.begin()
	if delivered {
		r.buf = append(r.buf, "0.00"...)
	} else {
		// 0.01 .. 9999.99
		cents := 1 + rng.Uint64N(999999)
		r.buf = appendPadded(r.buf, cents/100, 1)
		r.buf = append(r.buf, '.')
		r.buf = appendPadded(r.buf, cents%100, 2)
	}
	r.end(kindNumber, st)
	st = r.begin()
	r.buf = appendAlnum(r.buf, rng, 24)
	r.end(kindString, st)
}

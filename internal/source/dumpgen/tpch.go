package dumpgen

import (
	"math/rand/v2"
	"strconv"
)

// The TPC-H-shaped tables: LINEITEM, ORDERS and PARTSUPP with the column
// types of the TPC-H specification (2.4) as a MySQL load creates them, no
// primary key (so TiDB gives every row a _tidb_rowid, as in the common
// dbgen + LOAD DATA loads), and values drawn as dbgen draws them (TPC-H
// 4.2.3) at a scale factor that grows with the generated size. The tables
// are generated independently: each is shaped like its TPC-H counterpart,
// but their keys do not join.

// tpchScale is the number of parts, suppliers and customers of one unit of
// scale factor (TPC-H 4.2.5: 200000 parts, 10000 suppliers, 150000
// customers per SF).
const (
	tpchParts     = 200000
	tpchSuppliers = 10000
	tpchCustomers = 150000
	tpchClerks    = 1000
)

// TPC-H dates (4.2.3): orders fall between STARTDATE and ENDDATE - 151
// days; CURRENTDATE decides return flags and line status. In days since
// 1970-01-01.
const (
	tpchStartDate   = 8035 // 1992-01-01
	tpchOrderDays   = 2405 // to 1998-08-02
	tpchCurrentDate = 9298 // 1995-06-17
)

var (
	tpchPriorities   = []string{"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"}
	tpchInstructions = []string{"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"}
	tpchModes        = []string{"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"}
	// tpchWords are words of dbgen's comment grammar (TPC-H 4.2.2.10).
	tpchWords = []string{"furiously", "sly", "careful", "blithe", "quick", "fluffy", "slow",
		"quiet", "ruthless", "thin", "close", "dogged", "daring", "brave", "stealthy",
		"permanent", "enticing", "idle", "busy", "regular", "final", "ironic", "even",
		"bold", "silent", "foxes", "ideas", "theodolites", "pinto", "beans", "instructions",
		"dependencies", "excuses", "platelets", "asymptotes", "courts", "dolphins",
		"multipliers", "sauternes", "warthogs", "frets", "dinos", "attainments", "somas",
		"packages", "accounts", "requests", "deposits", "hockey", "players", "sleep",
		"wake", "are", "cajole", "haggle", "nag", "use", "boost", "affix", "detect",
		"integrate", "maintain", "nod", "was", "lose", "sublate", "solve", "thrash",
		"about", "above", "according", "to", "across", "after", "against", "along",
		"alongside", "among", "around", "at", "atop", "before", "behind", "beneath",
		"quickly", "carefully", "blithely", "slyly", "fluffily", "express", "special",
		"pending", "unusual"}
)

// tpchText appends a dbgen-like comment of between lo and hi characters.
func tpchText(dst []byte, rng *rand.Rand, lo, hi int) []byte {
	target := lo + rng.IntN(hi-lo+1)
	return appendWords(dst, rng, tpchWords, " ", target, hi, hi)
}

// tpchMoney appends a DECIMAL(15,2) of cents as MySQL prints it.
func tpchMoney(r *row, cents int64) {
	s := r.begin()
	r.buf = strconv.AppendInt(r.buf, cents/100, 10)
	r.buf = append(r.buf, '.')
	r.buf = appendPadded(r.buf, uint64(cents%100), 2)
	r.end(kindNumber, s)
}

func tpchDate(r *row, days int64) {
	s := r.begin()
	r.buf = appendDate(r.buf, days)
	r.end(kindString, s)
}

func tpchPick(r *row, rng *rand.Rand, words []string) { r.str(words[rng.IntN(len(words))]) }

// tpchRetailCents is P_RETAILPRICE of a part (TPC-H 4.2.3) in cents.
func tpchRetailCents(partkey int64) int64 {
	return 90000 + (partkey/10)%20001 + 100*(partkey%1000)
}

// tpchSF is the scale factor (at least 1) that makes a table of about
// estRows rows, given its rows per unit of scale.
func tpchSF(estRows, perSF int64) int64 { return max(1, (estRows+perSF/2)/perSF) }

var lineitemDef = &tableDef{
	name: "lineitem",
	columns: []string{"L_ORDERKEY", "L_PARTKEY", "L_SUPPKEY", "L_LINENUMBER", "L_QUANTITY",
		"L_EXTENDEDPRICE", "L_DISCOUNT", "L_TAX", "L_RETURNFLAG", "L_LINESTATUS", "L_SHIPDATE",
		"L_COMMITDATE", "L_RECEIPTDATE", "L_SHIPINSTRUCT", "L_SHIPMODE", "L_COMMENT"},
	create: "CREATE TABLE `lineitem` (\n" +
		"  `L_ORDERKEY` bigint NOT NULL,\n" +
		"  `L_PARTKEY` bigint NOT NULL,\n" +
		"  `L_SUPPKEY` bigint NOT NULL,\n" +
		"  `L_LINENUMBER` bigint NOT NULL,\n" +
		"  `L_QUANTITY` decimal(15,2) NOT NULL,\n" +
		"  `L_EXTENDEDPRICE` decimal(15,2) NOT NULL,\n" +
		"  `L_DISCOUNT` decimal(15,2) NOT NULL,\n" +
		"  `L_TAX` decimal(15,2) NOT NULL,\n" +
		"  `L_RETURNFLAG` char(1) NOT NULL,\n" +
		"  `L_LINESTATUS` char(1) NOT NULL,\n" +
		"  `L_SHIPDATE` date NOT NULL,\n" +
		"  `L_COMMITDATE` date NOT NULL,\n" +
		"  `L_RECEIPTDATE` date NOT NULL,\n" +
		"  `L_SHIPINSTRUCT` char(25) NOT NULL,\n" +
		"  `L_SHIPMODE` char(10) NOT NULL,\n" +
		"  `L_COMMENT` varchar(44) NOT NULL" + tableTail,
	avgRow: 140,
	newSource: func(rng *rand.Rand, est int64) rowSource {
		// About 4 lines per order and 6M lines per SF.
		return &lineitemSource{rng: rng, sf: tpchSF(est, 6000000)}
	},
}

type lineitemSource struct {
	rng        *rand.Rand
	sf         int64
	order      int64 // orders started so far
	orderDate  int64
	line, stop int64
}

// tpchOrderKey is the key of the n-th order (from 1): dbgen keeps the first
// 8 of every 32 keys, so the keys are sparse (TPC-H 4.2.3).
func tpchOrderKey(n int64) int64 { return (n-1)/8*32 + (n-1)%8 + 1 }

func (s *lineitemSource) next(r *row) {
	rng := s.rng
	if s.line == s.stop {
		s.order++
		s.line = 0
		s.stop = 1 + rng.Int64N(7)
		s.orderDate = tpchStartDate + rng.Int64N(tpchOrderDays)
	}
	s.line++
	partkey := 1 + rng.Int64N(s.sf*tpchParts)
	suppliers := s.sf * tpchSuppliers
	i := rng.Int64N(4)
	suppkey := (partkey+i*(suppliers/4+(partkey-1)/suppliers))%suppliers + 1
	qty := 1 + rng.Int64N(50)
	r.int(tpchOrderKey(s.order))
	r.int(partkey)
	r.int(suppkey)
	r.int(s.line)
	tpchMoney(r, qty*100)
	tpchMoney(r, qty*tpchRetailCents(partkey))
	tpchMoney(r, rng.Int64N(11))
	tpchMoney(r, rng.Int64N(9))
	ship := s.orderDate + 1 + rng.Int64N(121)
	commit := s.orderDate + 30 + rng.Int64N(61)
	receipt := ship + 1 + rng.Int64N(30)
	switch {
	case receipt > tpchCurrentDate:
		r.str("N")
	case rng.IntN(2) == 0:
		r.str("R")
	default:
		r.str("A")
	}
	if ship > tpchCurrentDate {
		r.str("O")
	} else {
		r.str("F")
	}
	tpchDate(r, ship)
	tpchDate(r, commit)
	tpchDate(r, receipt)
	tpchPick(r, rng, tpchInstructions)
	tpchPick(r, rng, tpchModes)
	st := r.begin()
	r.buf = tpchText(r.buf, rng, 10, 43)
	r.end(kindString, st)
}

var ordersDef = &tableDef{
	name: "orders",
	columns: []string{"O_ORDERKEY", "O_CUSTKEY", "O_ORDERSTATUS", "O_TOTALPRICE", "O_ORDERDATE",
		"O_ORDERPRIORITY", "O_CLERK", "O_SHIPPRIORITY", "O_COMMENT"},
	create: "CREATE TABLE `orders` (\n" +
		"  `O_ORDERKEY` bigint NOT NULL,\n" +
		"  `O_CUSTKEY` bigint NOT NULL,\n" +
		"  `O_ORDERSTATUS` char(1) NOT NULL,\n" +
		"  `O_TOTALPRICE` decimal(15,2) NOT NULL,\n" +
		"  `O_ORDERDATE` date NOT NULL,\n" +
		"  `O_ORDERPRIORITY` char(15) NOT NULL,\n" +
		"  `O_CLERK` char(15) NOT NULL,\n" +
		"  `O_SHIPPRIORITY` bigint NOT NULL,\n" +
		"  `O_COMMENT` varchar(79) NOT NULL" + tableTail,
	avgRow: 130,
	newSource: func(rng *rand.Rand, est int64) rowSource {
		return &ordersSource{rng: rng, sf: tpchSF(est, 1500000)}
	},
}

type ordersSource struct {
	rng *rand.Rand
	sf  int64
	n   int64
}

// orderStatuses are O_ORDERSTATUS with dbgen's shares: about half F, half
// O, and a few P (orders with lines of both states).
var orderStatuses = []string{"F", "F", "F", "F", "F", "F", "F", "F", "F", "F",
	"O", "O", "O", "O", "O", "O", "O", "O", "O", "O", "P"}

func (s *ordersSource) next(r *row) {
	rng := s.rng
	s.n++
	r.int(tpchOrderKey(s.n))
	// O_CUSTKEY: dbgen leaves every third customer without orders.
	cust := 1 + rng.Int64N(s.sf*tpchCustomers)
	if cust%3 == 0 {
		cust--
		if cust == 0 {
			cust = 1
		}
	}
	r.int(cust)
	tpchPick(r, rng, orderStatuses)
	// O_TOTALPRICE sums up to 7 lines of up to 50 parts at up to about
	// 2100.00: spread the same range.
	tpchMoney(r, 90000+rng.Int64N(55000000))
	tpchDate(r, tpchStartDate+rng.Int64N(tpchOrderDays))
	tpchPick(r, rng, tpchPriorities)
	st := r.begin()
	r.buf = append(r.buf, "Clerk#"...)
	r.buf = appendPadded(r.buf, uint64(1+rng.Int64N(s.sf*tpchClerks)), 9)
	r.end(kindString, st)
	r.int(0)
	st = r.begin()
	r.buf = tpchText(r.buf, rng, 19, 78)
	r.end(kindString, st)
}

var partsuppDef = &tableDef{
	name:    "partsupp",
	columns: []string{"PS_PARTKEY", "PS_SUPPKEY", "PS_AVAILQTY", "PS_SUPPLYCOST", "PS_COMMENT"},
	create: "CREATE TABLE `partsupp` (\n" +
		"  `PS_PARTKEY` bigint NOT NULL,\n" +
		"  `PS_SUPPKEY` bigint NOT NULL,\n" +
		"  `PS_AVAILQTY` bigint NOT NULL,\n" +
		"  `PS_SUPPLYCOST` decimal(15,2) NOT NULL,\n" +
		"  `PS_COMMENT` varchar(199) NOT NULL" + tableTail,
	avgRow: 150,
	newSource: func(rng *rand.Rand, est int64) rowSource {
		return &partsuppSource{rng: rng, sf: tpchSF(est, 4*tpchParts)}
	},
}

type partsuppSource struct {
	rng     *rand.Rand
	sf      int64
	part, i int64
}

func (s *partsuppSource) next(r *row) {
	rng := s.rng
	if s.i%4 == 0 {
		s.part++
	}
	suppliers := s.sf * tpchSuppliers
	// TPC-H 4.2.3: the four suppliers of a part.
	supp := (s.part+s.i%4*(suppliers/4+(s.part-1)/suppliers))%suppliers + 1
	s.i++
	r.int(s.part)
	r.int(supp)
	r.int(1 + rng.Int64N(9999))
	tpchMoney(r, 100+rng.Int64N(99901))
	st := r.begin()
	r.buf = tpchText(r.buf, rng, 49, 198)
	r.end(kindString, st)
}

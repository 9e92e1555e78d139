package kvenc

import (
	"fmt"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// rentalTable is sakila.rental: rental_id INT AUTO_INCREMENT PK, rental_date
// DATETIME, inventory_id MEDIUMINT UNSIGNED, customer_id SMALLINT UNSIGNED,
// return_date DATETIME NULL, staff_id TINYINT UNSIGNED, last_update
// TIMESTAMP; UNIQUE(rental_date, inventory_id, customer_id) and three
// single-column keys.
func rentalTable() *tablemodel.Table {
	return &tablemodel.Table{
		ID: 80, Name: "rental", PKIsHandle: true, HandleOffset: 0,
		Columns: []*tablemodel.Column{
			col(1, "rental_id", mysql.TypeLong, pkCol, func(c *tablemodel.Column) { c.AutoIncrement = true }),
			col(2, "rental_date", mysql.TypeDatetime, notNull),
			col(3, "inventory_id", mysql.TypeInt24, notNull, unsigned),
			col(4, "customer_id", mysql.TypeShort, notNull, unsigned),
			col(5, "return_date", mysql.TypeDatetime),
			col(6, "staff_id", mysql.TypeTiny, notNull, unsigned),
			col(7, "last_update", mysql.TypeTimestamp, notNull, func(c *tablemodel.Column) { c.HasDefault, c.DefaultIsNow = true, true }),
		},
		Indexes: []*tablemodel.Index{
			idx(1, "rental_date", true, 1, 2, 3),
			idx(2, "idx_fk_inventory_id", false, 2),
			idx(3, "idx_fk_customer_id", false, 3),
			idx(4, "idx_fk_staff_id", false, 5),
		},
	}
}

// rentalRow is the first row of sakila.rental.
func rentalRow() []datum.Datum {
	return []datum.Datum{
		datum.NewInt(1), {Kind: datum.Time, U: packTime(2005, 5, 24, 22, 53, 30, 0)}, datum.NewUint(367), datum.NewUint(130),
		{Kind: datum.Time, U: packTime(2005, 5, 26, 22, 4, 30, 0)}, datum.NewUint(1), {Kind: datum.Time, U: packTime(2006, 2, 15, 21, 30, 53, 0)},
	}
}

func BenchmarkEncodeRental(b *testing.B) {
	e, err := NewEncoder(rentalTable(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchRows(b, e, rentalRow(), 0)
}

// wideTable has 32 columns of mixed types and a utf8mb4_general_ci
// VARCHAR index (restored data on every row).
func wideTable() (*tablemodel.Table, []datum.Datum) {
	t := &tablemodel.Table{ID: 81, Name: "wide", PKIsHandle: true, HandleOffset: 0}
	var row []datum.Datum
	for i := 1; i <= 32; i++ {
		name := fmt.Sprintf("c%d", i)
		switch {
		case i == 1:
			t.Columns = append(t.Columns, col(1, name, mysql.TypeLonglong, pkCol))
			row = append(row, datum.NewInt(1))
		case i%4 == 0:
			t.Columns = append(t.Columns, col(int64(i), name, mysql.TypeVarchar, coll("utf8mb4_general_ci")))
			row = append(row, str(fmt.Sprintf("Some Text Value %d with words", i)))
		case i%4 == 1:
			t.Columns = append(t.Columns, col(int64(i), name, mysql.TypeDatetime))
			row = append(row, datum.Datum{Kind: datum.Time, U: packTime(2020, 1, 2, 3, 4, 5, 0)})
		case i%4 == 2:
			t.Columns = append(t.Columns, col(int64(i), name, mysql.TypeDouble))
			row = append(row, datum.Datum{Kind: datum.Float64, F: float64(i) * 1.5})
		default:
			t.Columns = append(t.Columns, col(int64(i), name, mysql.TypeLong))
			row = append(row, datum.NewInt(int64(i*1000)))
		}
	}
	t.Indexes = []*tablemodel.Index{idx(1, "i_c4", false, 3), idx(2, "u_c3", true, 2), idx(3, "i_c8_c5", false, 7, 4)}
	return t, row
}

func BenchmarkEncodeWide(b *testing.B) {
	t, row := wideTable()
	e, err := NewEncoder(t, Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchRows(b, e, row, 0)
}

func benchRows(b *testing.B, e *Encoder, row []datum.Datum, handleOff int) {
	var p Pairs
	b.ReportAllocs()
	b.ResetTimer()
	pairs := 0
	for i := 0; i < b.N; i++ {
		if i%256 == 0 {
			p.Reset()
		}
		row[handleOff] = datum.NewInt(int64(i + 1))
		n := p.Len()
		if err := e.Encode(row, int64(i+1), &p); err != nil {
			b.Fatal(err)
		}
		pairs += p.Len() - n
	}
	sec := b.Elapsed().Seconds()
	if sec > 0 {
		b.ReportMetric(float64(b.N)/sec, "rows/s")
		b.ReportMetric(float64(pairs)/sec, "pairs/s")
	}
}

// BenchmarkEncodeRentalPartitioned is rental partitioned as it often is,
// by month of rental_date (RANGE on an expression), and by HASH of the
// key: locating the partition is per-row work on top of the encoding.
func BenchmarkEncodeRentalPartitioned(b *testing.B) {
	for _, p := range []*tablemodel.Partitioning{
		{Type: tablemodel.PartitionRange, Expr: "to_days(`rental_date`)", Defs: []tablemodel.PartitionDef{
			{ID: 81, Name: "p0", LessThan: []string{"732462"}}, {ID: 82, Name: "p1", LessThan: []string{"MAXVALUE"}}}},
		{Type: tablemodel.PartitionHash, Expr: "`rental_id`", Defs: []tablemodel.PartitionDef{{ID: 81, Name: "p0"}, {ID: 82, Name: "p1"}}},
	} {
		b.Run(p.Type.String(), func(b *testing.B) {
			t := rentalTable()
			t.Partition = p
			e, err := NewEncoder(t, Options{})
			if err != nil {
				b.Fatal(err)
			}
			benchRows(b, e, rentalRow(), 0)
		})
	}
}

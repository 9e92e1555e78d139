package valueconv

import (
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// rentalSchema is sakila.rental's column types.
const rentalSchema = `CREATE TABLE rental (
  rental_id INT NOT NULL AUTO_INCREMENT,
  rental_date DATETIME NOT NULL,
  inventory_id MEDIUMINT UNSIGNED NOT NULL,
  customer_id SMALLINT UNSIGNED NOT NULL,
  return_date DATETIME DEFAULT NULL,
  staff_id TINYINT UNSIGNED NOT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (rental_id))`

// BenchmarkRentalRow is RowBuilder.Build (and so Convert) on one sakila
// rental row, what the encoder runs per row.
func BenchmarkRentalRow(b *testing.B) {
	c := convFor(b, rentalSchema, Session{Mode: sqlmode.StrictAll, Loc: time.UTC})
	rb, err := NewRowBuilder(c, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	fields := []literal.Field{
		num("1"), str("2005-05-24 22:53:30"), num("367"), num("130"), str("2005-05-26 22:04:30"), num("1"), str("2006-02-15 21:30:53"),
	}
	row := make([]datum.Datum, len(c.Table().Columns))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := rb.Build(fields, int64(i), row); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRentalRowNullAuto is the same row with the AUTO_INCREMENT id
// NULL and return_date NULL.
func BenchmarkRentalRowNullAuto(b *testing.B) {
	c := convFor(b, rentalSchema, Session{Mode: sqlmode.StrictAll, Loc: time.UTC})
	rb, err := NewRowBuilder(c, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	fields := []literal.Field{
		{Kind: literal.FieldNull}, str("2005-05-24 22:53:30"), num("367"), num("130"), {Kind: literal.FieldNull}, num("1"), str("2006-02-15 21:30:53"),
	}
	row := make([]datum.Datum, len(c.Table().Columns))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := rb.Build(fields, int64(i+1), row); err != nil {
			b.Fatal(err)
		}
	}
}

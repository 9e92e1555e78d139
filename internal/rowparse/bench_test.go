package rowparse

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

func genSQL(rows int) []byte {
	var b bytes.Buffer
	for i := 0; i < rows; i++ {
		if i%1000 == 0 {
			if i > 0 {
				b.WriteString(";\n")
			}
			b.WriteString("INSERT INTO `payment` VALUES\n")
		} else {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "(%d,%d,%d,%d,%d.99,'2005-05-25 11:30:37','a string with \\'escapes\\' and more text',NULL)", i, i%599, i%2, i*7, i%10)
	}
	b.WriteString(";\n")
	return b.Bytes()
}

func genCSV(rows int) []byte {
	var b bytes.Buffer
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "%d,%d,%d,%d,\"%d.99\",\"2005-05-25 11:30:37\",\"a string with \\\"escapes\\\" and more text\",\\N\n", i, i%599, i%2, i*7, i%10)
	}
	return b.Bytes()
}

func BenchmarkSQLReader(b *testing.B) {
	data := genSQL(200000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := NewSQLReader(bytes.NewReader(data), SQLOptions{})
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkCSVReader(b *testing.B) {
	data := genCSV(200000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, _ := NewCSVReader(bytes.NewReader(data), DefaultCSVOptions())
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

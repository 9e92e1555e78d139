package sakilacheck

import (
	"bytes"
	"hash/crc32"
	"testing"
)

func TestFiguresOfExport(t *testing.T) {
	// CRC32 values from Go's IEEE table equal MySQL's CRC32(): CRC32('MySQL')
	// is 3259397556 in the MySQL manual.
	in := "a,b\n\"MySQL\"\n\"x\\\"y\",\\N\n"
	f, err := FiguresOfExport(bytes.NewBufferString(in))
	if err != nil {
		t.Fatal(err)
	}
	want1 := uint32(3259397556)
	want2 := crc32.ChecksumIEEE([]byte(`x"y|\N`))
	if f.Count != 2 || f.Sum != uint64(want1)+uint64(want2) || f.Xor != want1^want2 {
		t.Fatalf("got %+v", f)
	}
	for _, bad := range []string{"h\n\"open\n", "h\nplain\n", "h\n\"a\"x\n"} {
		if _, err := FiguresOfExport(bytes.NewBufferString(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

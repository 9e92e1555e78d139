// Command gen regenerates the collation weight data of package collate from
// public MySQL collation data, as published in the vitess.io/vitess module
// (go/mysql/collations/colldata: MySQL's UCA 4.0.0 and 9.0.0 tables, which
// are generated from Unicode's allkeys-4.0.0.txt / allkeys-9.0.0.txt, and
// MySQL's general_ci case-folding table).
//
// It lives in its own module so that the main module does not depend on
// vitess. Run from this directory:
//
//	go run . -out ..
//
// gbk_chinese_ci data comes from MySQL's C source instead (see gbk.go):
//
//	go run . -out .. -gbk /path/to/strings/ctype-gbk.c
//
// gb18030_chinese_ci data comes from MySQL's strings/ctype-gb18030.cc (see
// gb18030ci.go):
//
//	go run . -out .. -gb18030 /path/to/strings/ctype-gb18030.cc
//
// Output:
//
//	uca0400.bin             utf8mb4_unicode_ci primaries (U+0000..U+FFFF)
//	uca0900.bin             utf8mb4_0900_ai_ci primaries (U+0000..U+2CEA0)
//	generalci_generated.go  utf8mb4_general_ci weight pages
//	gbk_ci.bin              gbk_chinese_ci weights (with -gbk)
//	gb18030_ci.bin          gb18030_chinese_ci case map and pinyin ranks (with -gb18030)
//
// The .bin layout (little work to decode, small to commit): a list of
// records, one per code point whose weights differ from what package collate
// computes itself (implicit weights, Hangul decomposition):
//
//	uvarint(code point - previous record's code point - 1)
//	byte    n (0..8; 0 = ignorable)
//	n x     uint16 big-endian primary weight
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"unicode/utf8"

	"vitess.io/vitess/go/mysql/collations"
	"vitess.io/vitess/go/mysql/collations/colldata"
)

const (
	idGeneralCI collations.ID = 45  // utf8mb4_general_ci
	idUnicodeCI collations.ID = 224 // utf8mb4_unicode_ci
	id0900AICI  collations.ID = 255 // utf8mb4_0900_ai_ci

	// limit0400 and limit0900 are the table sizes TiDB uses (pkg/util/collate/
	// ucadata/generator/main.go): 4.0.0 covers the BMP, 9.0.0 stops at U+2CEA1.
	limit0400 = 0x10000
	limit0900 = 0x2CEA1
)

func main() {
	out := flag.String("out", "..", "directory of package collate")
	gbkSrc := flag.String("gbk", "", "path of MySQL's strings/ctype-gbk.cc (or MariaDB's ctype-gbk.c): write only gbk_ci.bin from it")
	gb18030Src := flag.String("gb18030", "", "path of MySQL's strings/ctype-gb18030.cc: write only gb18030_ci.bin from it")
	pinyinCLDR := flag.Bool("pinyin-cldr", false, "with -gb18030: derive the pinyin ranks from CLDR (golang.org/x/text) when the source lacks the weight_py arrays")
	flag.Parse()
	if *gb18030Src != "" {
		if err := writeGB18030CI(*gb18030Src, filepath.Join(*out, "gb18030_ci.bin"), *pinyinCLDR); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *gbkSrc != "" {
		if err := writeGBK(*gbkSrc, filepath.Join(*out, "gbk_ci.bin")); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

func run(out string) error {
	if err := writeUCA(filepath.Join(out, "uca0400.bin"), idUnicodeCI, limit0400, implicit0400, false); err != nil {
		return err
	}
	if err := writeUCA(filepath.Join(out, "uca0900.bin"), id0900AICI, limit0900, implicit0900, true); err != nil {
		return err
	}
	return writeGeneralCI(filepath.Join(out, "generalci_generated.go"))
}

func weights(c colldata.Collation, cp rune) []uint16 {
	var buf [4]byte
	n := utf8.EncodeRune(buf[:], cp)
	ws := c.WeightString(nil, buf[:n], 0)
	w := make([]uint16, 0, len(ws)/2)
	for i := 0; i+1 < len(ws); i += 2 {
		w = append(w, binary.BigEndian.Uint16(ws[i:]))
	}
	return w
}

func writeUCA(path string, id collations.ID, limit rune, implicit func(rune) [2]uint16, hangul bool) error {
	c := colldata.Lookup(id)
	if c == nil {
		return fmt.Errorf("collation %d unknown to vitess", id)
	}
	var blob []byte
	prev := rune(-1)
	records, implicitCount := 0, 0
	for cp := rune(0); cp < limit; cp++ {
		if cp >= 0xD800 && cp <= 0xDFFF {
			continue // surrogates never decode from valid UTF-8
		}
		w := weights(c, cp)
		if len(w) > 8 {
			// TiDB keeps at most 8 primaries (only U+FDFA has more).
			w = w[:8]
		}
		if hangul && cp >= 0xAC00 && cp <= 0xD7AF {
			continue // decomposed into jamo at run time
		}
		if im := implicit(cp); len(w) == 2 && w[0] == im[0] && w[1] == im[1] {
			implicitCount++
			continue
		}
		blob = binary.AppendUvarint(blob, uint64(cp-prev-1))
		blob = append(blob, byte(len(w)))
		for _, x := range w {
			blob = binary.BigEndian.AppendUint16(blob, x)
		}
		prev = cp
		records++
	}
	log.Printf("%s: %d explicit records, %d implicit, %d bytes", path, records, implicitCount, len(blob))
	return os.WriteFile(path, blob, 0o644)
}

// implicit0400 and implicit0900 are TiDB's implicit weight rules (SPEC §4.2).
func implicit0400(r rune) [2]uint16 {
	base := uint16(0xFBC0)
	switch {
	case r >= 0x3400 && r <= 0x4DB5:
		base = 0xFB80
	case (r >= 0x4E00 && r <= 0x9FA5) || (r >= 0xFA0E && r <= 0xFA0F):
		base = 0xFB40
	}
	return [2]uint16{base + uint16(r>>15), uint16(r&0x7FFF) | 0x8000}
}

func implicit0900(r rune) [2]uint16 {
	if r >= 0x17000 && r <= 0x18AFF {
		return [2]uint16{0xFB00, uint16(r-0x17000) | 0x8000}
	}
	base := uint16(0xFBC0)
	switch {
	case (r >= 0x3400 && r <= 0x4DB5) || (r >= 0x20000 && r <= 0x2A6D6) ||
		(r >= 0x2A700 && r <= 0x2B734) || (r >= 0x2B740 && r <= 0x2B81D) ||
		(r >= 0x2B820 && r <= 0x2CEA1):
		base = 0xFB80
	case (r >= 0x4E00 && r <= 0x9FD5) || (r >= 0xFA0E && r <= 0xFA29):
		base = 0xFB40
	}
	return [2]uint16{base + uint16(r>>15), uint16(r&0x7FFF) | 0x8000}
}

func writeGeneralCI(path string) error {
	c := colldata.Lookup(idGeneralCI)
	if c == nil {
		return fmt.Errorf("collation %d unknown to vitess", idGeneralCI)
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by internal/tidb/collate/tablegen; DO NOT EDIT.\n")
	b.WriteString("// Regenerate: cd internal/tidb/collate/tablegen && go run . -out ..\n")
	b.WriteString("// Source: MySQL's utf8mb4_general_ci weights (my_unicase_default sort\n")
	b.WriteString("// values) as published in vitess.io/vitess go/mysql/collations/colldata.\n\n")
	b.WriteString("package collate\n\n")
	b.WriteString("// generalCIPages holds the weight of every BMP code point whose 256-point\n")
	b.WriteString("// page is not the identity; other pages weigh as the code point itself.\n")
	b.WriteString("var generalCIPages = [256]*[256]uint16{\n")
	for page := 0; page < 256; page++ {
		var vals [256]uint16
		identity := true
		for i := 0; i < 256; i++ {
			cp := rune(page<<8 | i)
			if cp >= 0xD800 && cp <= 0xDFFF {
				vals[i] = uint16(cp)
				continue
			}
			w := weights(c, cp)
			if len(w) != 1 {
				return fmt.Errorf("general_ci U+%04X: %d weights", cp, len(w))
			}
			vals[i] = w[0]
			if w[0] != uint16(cp) {
				identity = false
			}
		}
		if identity {
			continue
		}
		fmt.Fprintf(&b, "0x%02X: {", page)
		for i, v := range vals {
			if i%16 == 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "0x%04X, ", v)
		}
		b.WriteString("\n},\n")
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return fmt.Errorf("format %s: %w", path, err)
	}
	return os.WriteFile(path, src, 0o644)
}

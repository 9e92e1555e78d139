package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
)

// gbk_chinese_ci weights come from MySQL's strings/ctype-gbk.cc (identical in
// MariaDB's strings/ctype-gbk.c): sort_order_gbk, the weight of each single
// byte, and gbk_order, the rank of each two-byte GBK code. MySQL weighs a
// two-byte code as 0x8100 + gbk_order[index] (gbksortorder()).
//
// Neither MySQL nor MariaDB is a Go module, so the generator reads the C
// source from a path: for example the Debian source package of MariaDB
// (apt-get source mariadb; strings/ctype-gbk.c) or a MySQL checkout
// (strings/ctype-gbk.cc).
//
// Output gbk_ci.bin (48,008 bytes):
//
//	128 bytes            sort_order_gbk[0x00..0x7F]
//	23940 x uint16 BE    gbk_order, index (head-0x81)*190 + tail offset

const gbkOrderLen = 126 * 190 // heads 0x81..0xFE x tails 0x40..0x7E, 0x80..0xFE

func writeGBK(src, path string) error {
	sortOrder, err := cArray(src, "sort_order_gbk")
	if err != nil {
		return err
	}
	order, err := cArray(src, "gbk_order")
	if err != nil {
		return err
	}
	if len(sortOrder) != 256 {
		return fmt.Errorf("%s: sort_order_gbk has %d values, want 256", src, len(sortOrder))
	}
	if len(order) != gbkOrderLen {
		return fmt.Errorf("%s: gbk_order has %d values, want %d", src, len(order), gbkOrderLen)
	}
	blob := make([]byte, 0, 128+2*gbkOrderLen)
	for i, v := range sortOrder[:128] {
		if v > 0x7F {
			return fmt.Errorf("sort_order_gbk[%#x] = %#x is not ASCII", i, v)
		}
		blob = append(blob, byte(v))
	}
	for i, v := range sortOrder[128:] {
		// The collator relies on bytes 0x80..0xFF weighing as themselves.
		if v != uint32(128+i) {
			return fmt.Errorf("sort_order_gbk[%#x] = %#x, want identity", 128+i, v)
		}
	}
	for i, v := range order {
		if v > 0xFFFF-0x8100 {
			return fmt.Errorf("gbk_order[%d] = %d overflows 0x8100+w", i, v)
		}
		blob = binary.BigEndian.AppendUint16(blob, uint16(v))
	}
	log.Printf("%s: %d bytes", path, len(blob))
	return os.WriteFile(path, blob, 0o644)
}

// cArray returns the values of the C array initializer `name[] = { ... };`
// in file src. Values are decimal or hex integers or C character literals
// ('A', '\\', '\177', (uchar) '\200').
func cArray(src, name string) ([]uint32, error) {
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var body strings.Builder
	state := 0 // 0 looking for the declaration, 1 for '{', 2 inside
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch state {
		case 0:
			if i := strings.Index(line, " "+name+"[]"); i >= 0 && !strings.Contains(line, ";") {
				state = 1
				line = line[i:]
			} else {
				continue
			}
			fallthrough
		case 1:
			i := strings.IndexByte(line, '{')
			if i < 0 {
				continue
			}
			state = 2
			line = line[i+1:]
			fallthrough
		case 2:
			if i := strings.Index(line, "};"); i >= 0 {
				body.WriteString(line[:i])
				return parseCValues(body.String())
			}
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s: array %s not found", src, name)
}

func parseCValues(s string) ([]uint32, error) {
	var out []uint32
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t\r\n,")
		if s == "" {
			break
		}
		switch {
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return nil, fmt.Errorf("unterminated comment")
			}
			s = s[i+2:]
		case strings.HasPrefix(s, "(uchar)"):
			s = s[len("(uchar)"):]
		case s[0] == '\'':
			v, rest, err := cChar(s)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			s = rest
		default:
			i := strings.IndexAny(s, ", \t\r\n")
			if i < 0 {
				i = len(s)
			}
			v, err := strconv.ParseUint(s[:i], 0, 32)
			if err != nil {
				return nil, fmt.Errorf("value %q: %w", s[:i], err)
			}
			out = append(out, uint32(v))
			s = s[i:]
		}
	}
	return out, nil
}

// cChar parses a C character literal at the start of s.
func cChar(s string) (uint32, string, error) {
	end := 2
	if len(s) > 1 && s[1] == '\\' {
		end = 3
		for end < len(s) && s[end] != '\'' {
			end++
		}
	}
	if end >= len(s) || s[end] != '\'' {
		return 0, "", fmt.Errorf("bad character literal %.8q", s)
	}
	lit := s[1:end]
	rest := s[end+1:]
	if lit[0] != '\\' {
		return uint32(lit[0]), rest, nil
	}
	esc := lit[1:]
	switch esc {
	case "\\", "'", "\"":
		return uint32(esc[0]), rest, nil
	}
	v, err := strconv.ParseUint(esc, 8, 8)
	if err != nil {
		return 0, "", fmt.Errorf("character literal %q: %w", lit, err)
	}
	return uint32(v), rest, nil
}

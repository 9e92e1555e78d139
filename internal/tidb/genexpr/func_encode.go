package genexpr

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash/crc32"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
)

// Encoding, hashing and number-formatting string functions
// (pkg/expression/builtin_encryption.go, builtin_string.go, builtin_math.go).

func hexResult(sum []byte) Value {
	return Value{Kind: KindString, S: []byte(hex.EncodeToString(sum))}
}

func fnMD5(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := md5.Sum(toText(a[0]))
	return hexResult(s[:]), nil
}

func fnSHA1(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := sha1.Sum(toText(a[0]))
	return hexResult(s[:]), nil
}

func fnSHA2(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	b := toText(a[0])
	switch toInt64(a[1]) {
	case 0, 256:
		s := sha256.Sum256(b)
		return hexResult(s[:]), nil
	case 224:
		s := sha256.Sum224(b)
		return hexResult(s[:]), nil
	case 384:
		s := sha512.Sum384(b)
		return hexResult(s[:]), nil
	case 512:
		s := sha512.Sum512(b)
		return hexResult(s[:]), nil
	}
	return Null, nil
}

func fnCRC32(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return UintValue(uint64(crc32.ChecksumIEEE(toText(a[0])))), nil
}

// fnHex is HEX: a number is its (rounded) BIGINT in hex, a string its
// bytes (builtinHexIntArgSig, builtinHexStrArgSig).
func fnHex(_ *evalCtx, a []Value) (Value, error) {
	v := a[0]
	if v.IsNull() {
		return Null, nil
	}
	if v.isNumeric() {
		if v.Kind == KindFloat || v.Kind == KindDecimal {
			f := toFloat(v)
			if f < 0 {
				return StringValue(strings.ToUpper(strconv.FormatUint(uint64(floatToInt(f)), 16))), nil
			}
			if f >= 1<<64 {
				return StringValue("FFFFFFFFFFFFFFFF"), nil
			}
			return StringValue(strings.ToUpper(strconv.FormatUint(uint64(mathRound(f)), 16))), nil
		}
		return StringValue(strings.ToUpper(strconv.FormatUint(uint64(toInt64(v)), 16))), nil
	}
	return StringValue(strings.ToUpper(hex.EncodeToString(toText(v)))), nil
}

func fnUnhex(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := toText(a[0])
	if len(s)%2 == 1 {
		s = append([]byte{'0'}, s...)
	}
	out, err := hex.DecodeString(string(s))
	if err != nil {
		return Null, nil
	}
	return BytesValue(out), nil
}

// fnFormat is FORMAT(x, d): x rounded half up to d (0..30) decimals with
// ',' thousands separators (en_US; other locales are not supported).
func fnFormat(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() || a[1].IsNull() {
		return Null, nil
	}
	d := toInt64(a[1])
	if d < 0 {
		d = 0
	}
	if d > 30 {
		d = 30
	}
	var dec mydecimal.Decimal
	if a[0].Kind == KindFloat || (a[0].Kind == KindString && !a[0].HasNum) {
		f := toFloat(a[0])
		var err error
		dec, err = mydecimal.Parse([]byte(strconv.FormatFloat(f, 'f', -1, 64)))
		if err != nil {
			return Null, nil
		}
	} else {
		dec = toDecimal(a[0])
	}
	text := string(dec.Round(int(d)).AppendText(nil))
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")
	intPart, frac, _ := strings.Cut(text, ".")
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(ch)
	}
	if d > 0 {
		sb.WriteByte('.')
		sb.WriteString(frac)
	}
	return StringValue(sb.String()), nil
}

func fnASCII(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := toText(a[0])
	if len(s) == 0 {
		return IntValue(0), nil
	}
	return IntValue(int64(s[0])), nil
}

// fnConvertUsing is CONVERT(x USING charset): only the binary-ness and
// collation change (lightstream holds strings as UTF-8).
func fnConvertUsing(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	cs := strings.ToLower(string(toText(a[1])))
	s := append([]byte{}, toText(a[0])...)
	if cs == "binary" {
		return BytesValue(s), nil
	}
	return Value{Kind: KindString, S: s, Coll: defaultCollation(cs)}, nil
}

func defaultCollation(cs string) string {
	switch cs {
	case "utf8", "utf8mb3":
		return "utf8_bin"
	case "latin1":
		return "latin1_bin"
	case "ascii":
		return "ascii_bin"
	case "gbk":
		return "gbk_bin"
	}
	return "utf8mb4_bin"
}

func fnBin(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return StringValue(strconv.FormatUint(uint64(toInt64(a[0])), 2)), nil
}

func fnOct(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return StringValue(strconv.FormatUint(uint64(toInt64(a[0])), 8)), nil
}

// fnToBase64 is TO_BASE64: MySQL's base64 breaks lines every 76 output
// characters with a newline.
func fnToBase64(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	enc := base64.StdEncoding.EncodeToString(toText(a[0]))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteByte('\n')
		enc = enc[76:]
	}
	b.WriteString(enc)
	return Value{Kind: KindString, S: []byte(b.String())}, nil
}

// fnOrd is ORD: the code of the first character, its bytes in the
// string's charset read as a big-endian number (ASCII for a one-byte
// character). Strings are held as UTF-8: a gbk or gb18030 one is encoded
// back first, as TiDB reads it in its own charset.
func fnOrd(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := toText(a[0])
	if len(s) == 0 {
		return IntValue(0), nil
	}
	n := 1
	if !a[0].Binary {
		_, n = utf8.DecodeRune(s)
	}
	ch := s[:n]
	var enc *encoding.Encoder
	switch coll := a[0].Coll; {
	case strings.HasPrefix(coll, "gbk_"):
		enc = simplifiedchinese.GBK.NewEncoder()
	case strings.HasPrefix(coll, "gb18030_"):
		enc = simplifiedchinese.GB18030.NewEncoder()
	}
	if enc != nil && n > 1 {
		if b, err := enc.Bytes(ch); err == nil {
			ch = b
		}
	}
	var v int64
	for _, c := range ch {
		v = v<<8 | int64(c)
	}
	return IntValue(v), nil
}

package genexpr

import (
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"strings"
)

// Network address functions (pkg/expression/builtin_miscellaneous.go).
func init() {
	register(map[string]funcDef{
		"inet_aton":  {1, 1, fnInetAton},
		"inet_ntoa":  {1, 1, fnInetNtoa},
		"inet6_aton": {1, 1, fnInet6Aton},
		"inet6_ntoa": {1, 1, fnInet6Ntoa},
		"is_ipv4":    {1, 1, fnIsIPv4},
		"is_ipv6":    {1, 1, fnIsIPv6},
	})
}

func wrongValue(fn string, s []byte) error {
	return fmt.Errorf("%w: incorrect string value: '%s' for function %s", ErrEval, excerpt(s), fn)
}

// fnInetAton is INET_ATON (builtinInetAtonSig): dotted decimal with one to
// four parts ('127.1' is 127.0.0.1), a BIGINT UNSIGNED. Anything else, an
// empty string or a trailing dot is TiDB's errWrongValueForType.
func fnInetAton(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := toText(a[0])
	if len(s) == 0 || s[len(s)-1] == '.' {
		return Null, wrongValue("inet_aton", s)
	}
	var part, result uint64
	dots := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			part = part*10 + uint64(c-'0')
			if part > 255 {
				return Null, wrongValue("inet_aton", s)
			}
		case c == '.':
			dots++
			if dots > 3 {
				return Null, wrongValue("inet_aton", s)
			}
			result = result<<8 + part
			part = 0
		default:
			return Null, wrongValue("inet_aton", s)
		}
	}
	switch dots {
	case 1:
		result <<= 16
	case 2:
		result <<= 8
	}
	return UintValue(result<<8 + part), nil
}

// fnInetNtoa is INET_NTOA: NULL outside 0..2^32-1.
func fnInetNtoa(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	i, u, unsigned := toInt(a[0])
	if !unsigned {
		if i < 0 {
			return Null, nil
		}
		u = uint64(i)
	}
	if u > math.MaxUint32 {
		return Null, nil
	}
	ip := make(net.IP, net.IPv4len)
	binary.BigEndian.PutUint32(ip, uint32(u))
	return StringValue(ip.String()), nil
}

// fnInet6Aton is INET6_ATON: 4 bytes for IPv4, 16 for IPv6 (an
// IPv4-mapped address keeps its ::ffff: prefix); a VARBINARY(16).
func fnInet6Aton(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := toText(a[0])
	ip := net.ParseIP(string(s))
	if len(s) == 0 || ip == nil {
		return Null, wrongValue("inet_aton6", s)
	}
	v4 := ip.To4()
	switch {
	case v4 != nil && strings.Contains(string(s), ":"):
		out := make([]byte, net.IPv6len)
		out[10], out[11] = 0xff, 0xff
		copy(out[12:], v4)
		return BytesValue(out), nil
	case v4 != nil:
		return BytesValue(append([]byte(nil), v4...)), nil
	}
	return BytesValue(append([]byte(nil), ip.To16()...)), nil
}

// fnInet6Ntoa is INET6_NTOA: the text of a 4- or 16-byte address, NULL
// for anything else.
func fnInet6Ntoa(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	b := toText(a[0])
	ip := net.IP(b).String()
	if len(b) == net.IPv6len && !strings.Contains(ip, ":") {
		ip = "::ffff:" + ip
	}
	if net.ParseIP(ip) == nil {
		return Null, nil
	}
	return StringValue(ip), nil
}

// isIPv4 is TiDB's check: exactly four decimal parts of at most 255.
func isIPv4(s []byte) bool {
	dots, acc, emptyPart := 0, 0, true
	for _, c := range s {
		switch {
		case '0' <= c && c <= '9':
			acc = acc*10 + int(c-'0')
			if acc > 255 {
				return false
			}
			emptyPart = false
		case c == '.':
			dots++
			if dots > 3 || emptyPart {
				return false
			}
			acc, emptyPart = 0, true
		default:
			return false
		}
	}
	return dots == 3 && !emptyPart
}

// fnIsIPv4 is IS_IPV4: 0 for NULL, not NULL.
func fnIsIPv4(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return IntValue(0), nil
	}
	return intBool(isIPv4(toText(a[0]))), nil
}

// fnIsIPv6 is IS_IPV6: a parsable address that is not dotted IPv4.
func fnIsIPv6(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return IntValue(0), nil
	}
	s := toText(a[0])
	return intBool(net.ParseIP(string(s)) != nil && !isIPv4(s)), nil
}

// intBool is 1 or 0 as a plain integer (no boolean flag: IS_IPV4 and
// IS_IPV6 are INT(1) functions, not comparisons).
func intBool(b bool) Value {
	if b {
		return IntValue(1)
	}
	return IntValue(0)
}

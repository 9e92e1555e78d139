package genexpr

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// AES_ENCRYPT and AES_DECRYPT (pkg/expression/builtin_encryption.go,
// pkg/util/encrypt/aes.go). The block mode is the session's
// block_encryption_mode; Lightning sets none, so TiDB's default
// aes-128-ecb applies, where an IV argument is ignored (with a warning).
func init() {
	register(map[string]funcDef{
		"aes_encrypt": {2, 3, aesFn(defaultAESMode, true)},
		"aes_decrypt": {2, 3, aesFn(defaultAESMode, false)},
	})
}

// aesMode is one block_encryption_mode (TiDB's aesModeAttr): the key size
// in bytes and whether the mode needs an initialization vector.
type aesMode struct {
	name    string // ecb, cbc, ofb, cfb
	keySize int
	needIV  bool
}

// aesModes are the modes TiDB supports.
var aesModes = map[string]aesMode{
	"aes-128-ecb": {"ecb", 16, false}, "aes-192-ecb": {"ecb", 24, false}, "aes-256-ecb": {"ecb", 32, false},
	"aes-128-cbc": {"cbc", 16, true}, "aes-192-cbc": {"cbc", 24, true}, "aes-256-cbc": {"cbc", 32, true},
	"aes-128-ofb": {"ofb", 16, true}, "aes-192-ofb": {"ofb", 24, true}, "aes-256-ofb": {"ofb", 32, true},
	"aes-128-cfb": {"cfb", 16, true}, "aes-192-cfb": {"cfb", 24, true}, "aes-256-cfb": {"cfb", 32, true},
}

var defaultAESMode = aesModes["aes-128-ecb"]

// errBadPadding: the data does not decrypt (AES_DECRYPT gives NULL).
var errBadPadding = errors.New("invalid padding")

// charsetBytes is a string's bytes in its own charset: TiDB evaluates a
// gbk or gb18030 string argument in that charset, lightstream holds it as
// UTF-8.
func charsetBytes(v Value) []byte {
	s := toText(v)
	if v.Kind != KindString || v.Binary {
		return s
	}
	var enc *encoding.Encoder
	switch coll := v.Coll; {
	case strings.HasPrefix(coll, "gbk_"):
		enc = simplifiedchinese.GBK.NewEncoder()
	case strings.HasPrefix(coll, "gb18030_"):
		enc = simplifiedchinese.GB18030.NewEncoder()
	default:
		return s
	}
	if b, err := enc.Bytes(s); err == nil {
		return b
	}
	return s
}

// deriveKey folds a key of any length into keySize bytes by XOR, as
// MySQL does (encrypt.DeriveKeyMySQL).
func deriveKey(key []byte, keySize int) []byte {
	out := make([]byte, keySize)
	for i, k := range key {
		out[i%keySize] ^= k
	}
	return out
}

// aesFn is AES_ENCRYPT(str, key[, iv]) / AES_DECRYPT(crypt, key[, iv]) in
// mode: NULL in, NULL out; an IV shorter than 16 bytes is an error in the
// modes that use one (bytes past 16 are ignored); data that does not
// decrypt gives NULL. The result is a binary string.
func aesFn(mode aesMode, encrypt bool) evalFn {
	fn := "aes_decrypt"
	if encrypt {
		fn = "aes_encrypt"
	}
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() || a[1].IsNull() {
			return Null, nil
		}
		var iv []byte
		if mode.needIV {
			if len(a) < 3 {
				return Null, fmt.Errorf("%w: incorrect parameter count in the call to native function '%s'", ErrEval, fn)
			}
			if a[2].IsNull() {
				return Null, nil
			}
			iv = charsetBytes(a[2])
			if len(iv) < aes.BlockSize {
				return Null, fmt.Errorf("%w: the initialization vector supplied to %s is too short; must be at least %d bytes long", ErrEval, fn, aes.BlockSize)
			}
			iv = iv[:aes.BlockSize]
		}
		block, err := aes.NewCipher(deriveKey(charsetBytes(a[1]), mode.keySize))
		if err != nil {
			return Null, fmt.Errorf("%w: %s: %v", ErrEval, fn, err)
		}
		in := charsetBytes(a[0])
		var out []byte
		if encrypt {
			out = aesEncrypt(block, mode.name, iv, in)
		} else if out, err = aesDecrypt(block, mode.name, iv, in); err != nil {
			return Null, nil
		}
		return BytesValue(out), nil
	}
}

func aesEncrypt(block cipher.Block, mode string, iv, in []byte) []byte {
	switch mode {
	case "ofb":
		out := make([]byte, len(in))
		cipher.NewOFB(block, iv).XORKeyStream(out, in)
		return out
	case "cfb":
		out := make([]byte, len(in))
		cipher.NewCFBEncrypter(block, iv).XORKeyStream(out, in)
		return out
	}
	// ECB and CBC pad to whole blocks with PKCS #7.
	pad := aes.BlockSize - len(in)%aes.BlockSize
	data := make([]byte, len(in), len(in)+pad)
	copy(data, in)
	for range pad {
		data = append(data, byte(pad))
	}
	if mode == "cbc" {
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
		return data
	}
	for i := 0; i < len(data); i += aes.BlockSize {
		block.Encrypt(data[i:i+aes.BlockSize], data[i:i+aes.BlockSize])
	}
	return data
}

func aesDecrypt(block cipher.Block, mode string, iv, in []byte) ([]byte, error) {
	switch mode {
	case "ofb":
		out := make([]byte, len(in))
		cipher.NewOFB(block, iv).XORKeyStream(out, in)
		return out, nil
	case "cfb":
		out := make([]byte, len(in))
		cipher.NewCFBDecrypter(block, iv).XORKeyStream(out, in)
		return out, nil
	}
	if len(in) == 0 || len(in)%aes.BlockSize != 0 {
		return nil, errBadPadding
	}
	data := append([]byte(nil), in...)
	if mode == "cbc" {
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(data, data)
	} else {
		for i := 0; i < len(data); i += aes.BlockSize {
			block.Decrypt(data[i:i+aes.BlockSize], data[i:i+aes.BlockSize])
		}
	}
	// PKCS #7 (encrypt.PKCS7Unpad): 1..16 bytes, all equal to the count.
	pad := int(data[len(data)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, errBadPadding
	}
	for _, c := range data[len(data)-pad:] {
		if int(c) != pad {
			return nil, errBadPadding
		}
	}
	return data[:len(data)-pad], nil
}

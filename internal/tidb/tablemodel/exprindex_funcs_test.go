package tablemodel

import (
	"testing"

	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// TestExpressionIndexNewFunctions: hidden columns of expression indexes on
// the functions genexpr gained for issue 16 get TiDB's result types: flen
// and flags as their function classes set them (inetAtonFunctionClass
// flen 21 unsigned, inetNtoaFunctionClass 93, inet6AtonFunctionClass
// VARBINARY(16), convFunctionClass 64, quoteFunctionClass 2*flen+2,
// aesEncryptFunctionClass 16*(flen/16+1), secToTime/addTime fsp rules).
func TestExpressionIndexNewFunctions(t *testing.T) {
	tbl, _, err := ParseCreateTable("create table t (ip varchar(15) collate utf8mb4_general_ci, n int unsigned, s varchar(20), "+
		"d decimal(10,3), dt datetime(2), tm time, "+
		"key k1 ((inet_aton(ip))), key k2 ((inet_ntoa(n))), key k3 ((inet6_aton(ip))), key k4 ((conv(ip, 16, 10))), "+
		"key k5 ((quote(s))), key k6 ((aes_encrypt(s, 'k'))), key k7 ((sec_to_time(d))), key k8 ((addtime(dt, '01:00:00.5'))), "+
		"key k9 ((regexp_substr(ip, '[0-9]+'))), key k10 ((is_ipv4(ip))), key k11 ((addtime(tm, tm))), key k12 ((sec_to_time(n))))", DBDefaults{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		tp       byte
		flen     int
		decimal  int
		unsigned bool
		coll     string
	}
	wants := []want{
		{mysql.TypeLonglong, 21, 0, true, "binary"},
		{mysql.TypeVarchar, 93, 0, false, "utf8mb4_bin"},
		{mysql.TypeVarchar, 16, 0, false, "binary"},
		{mysql.TypeVarchar, 64, 0, false, "utf8mb4_general_ci"},
		{mysql.TypeVarchar, 42, 0, false, "utf8mb4_bin"},
		{mysql.TypeVarchar, 32, 0, false, "binary"},
		{mysql.TypeDuration, 0, 3, false, "binary"},
		{mysql.TypeDatetime, 0, 2, false, "binary"},
		{mysql.TypeVarchar, 15, 0, false, "utf8mb4_general_ci"},
		{mysql.TypeLonglong, 1, 0, false, "binary"},
		{mysql.TypeDuration, 0, 0, false, "binary"},
		{mysql.TypeDuration, 0, 0, false, "binary"},
	}
	const base = 6
	if len(tbl.Columns) != base+len(wants) {
		t.Fatalf("%d columns, want %d", len(tbl.Columns), base+len(wants))
	}
	for i, w := range wants {
		c := tbl.Columns[base+i]
		if c.Tp != w.tp || (w.flen != 0 && c.Flen != w.flen) || c.Decimal != w.decimal || c.Unsigned != w.unsigned || c.Collate != w.coll {
			t.Errorf("%s (%s): tp %d flen %d decimal %d unsigned %v %s; want %+v", c.Name, c.GeneratedExpr, c.Tp, c.Flen, c.Decimal, c.Unsigned, c.Collate, w)
		}
	}
	// A string result ADDTIME (a DATE or string first argument) is not
	// modelled: refused before any row.
	if _, _, err := ParseCreateTable("create table t (s varchar(20), key ((addtime(s, '1'))))", DBDefaults{}, 1); err == nil {
		t.Error("ADDTIME of a string accepted")
	}
}

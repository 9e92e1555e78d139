//go:build !purego

#include "textflag.h"

// func fold128(crc uint64, p []byte, keys *[4]uint64) (lo, hi uint64)
//
// p is at least 32 bytes, a multiple of 16. Two remainders (X1, X6) fold
// alternate blocks 32 bytes ahead, so that two multiplications are in
// flight at once; they are joined at the end, and a last odd block is
// folded in alone.
TEXT ·fold128(SB), NOSPLIT, $0-56
	MOVQ  crc+0(FP), AX
	MOVQ  p_base+8(FP), SI
	MOVQ  p_len+16(FP), CX
	MOVQ  keys+32(FP), DX
	MOVOU (DX), X2           // X2 = [x^191 key, x^127 key]: fold by 16 bytes
	MOVOU 16(DX), X5         // X5 = [x^319 key, x^255 key]: fold by 32 bytes
	MOVQ  AX, X0
	MOVOU (SI), X1
	MOVOU 16(SI), X6
	PXOR  X0, X1             // the register joins the first eight bytes
	ADDQ  $32, SI
	SUBQ  $32, CX

loop32:
	CMPQ      CX, $32
	JB        join
	MOVOU     (SI), X3
	MOVOU     16(SI), X7
	MOVOA     X1, X4
	MOVOA     X6, X8
	PCLMULQDQ $0x00, X5, X1  // first half * x^319 key
	PCLMULQDQ $0x11, X5, X4  // second half * x^255 key
	PCLMULQDQ $0x00, X5, X6
	PCLMULQDQ $0x11, X5, X8
	PXOR      X4, X1
	PXOR      X3, X1
	PXOR      X8, X6
	PXOR      X7, X6
	ADDQ      $32, SI
	SUBQ      $32, CX
	JMP       loop32

join:
	MOVOA     X1, X4
	PCLMULQDQ $0x00, X2, X1  // X1 = X1 folded by 16 bytes, then X6
	PCLMULQDQ $0x11, X2, X4
	PXOR      X4, X1
	PXOR      X6, X1
	CMPQ      CX, $16
	JB        done
	MOVOU     (SI), X3       // the last odd block
	MOVOA     X1, X4
	PCLMULQDQ $0x00, X2, X1
	PCLMULQDQ $0x11, X2, X4
	PXOR      X4, X1
	PXOR      X3, X1

done:
	MOVQ   X1, AX
	PSRLDQ $8, X1
	MOVQ   X1, BX
	MOVQ   AX, lo+40(FP)
	MOVQ   BX, hi+48(FP)
	RET

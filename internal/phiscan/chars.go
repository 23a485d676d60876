package phiscan

import (
	"encoding/binary"
	"math/bits"
)

// Byte classes for the hot loops: a table lookup per byte is what keeps
// the text scan near memory speed.
const (
	clsDigit = 1 << iota
	clsUpper
	clsLower
)

var cls = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = clsUpper
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clsLower
	}
	return t
}()

func isDigit(c byte) bool    { return cls[c]&clsDigit != 0 }
func isAlnum(c byte) bool    { return cls[c] != 0 }
func isLetter(c byte) bool   { return cls[c]&(clsUpper|clsLower) != 0 }
func isWordByte(c byte) bool { return cls[c] != 0 }

// nextDigit returns the index of the first ASCII digit in b at or after
// i, or len(b). Eight bytes are tested at a time (the high bit of each
// byte of m is set where that byte is a digit), since ordinary text is
// mostly letters and spaces and this loop sees every byte of it.
func nextDigit(b []byte, i int) int {
	const (
		lo7  = 0x7f7f7f7f7f7f7f7f
		high = 0x8080808080808080
		ge0  = 0x5050505050505050 // 0x80 - '0': the high bit set from '0' up
		ge10 = 0x4646464646464646 // 0x80 - ':': the high bit set past '9'
	)
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		y := x & lo7 // no carry between bytes below
		m := (y + ge0) &^ (y + ge10) &^ x & high
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if cls[b[i]]&clsDigit != 0 {
			return i
		}
	}
	return len(b)
}

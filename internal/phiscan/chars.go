package phiscan

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

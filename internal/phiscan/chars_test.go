package phiscan

import "testing"

// TestNextDigit checks the eight-bytes-at-a-time digit search against a
// byte loop at every offset, with bytes either side of '0'…'9' and bytes
// with the high bit set whose low seven bits are digits.
func TestNextDigit(t *testing.T) {
	alphabet := []byte{'/', '0', '5', '9', ':', 'a', ' ', 0xb0, 0xb9, 0xff, 0x80, 0x2f, 0x3a}
	b := make([]byte, 40)
	for trial := range 20000 {
		x := uint64(trial)*0x9e3779b97f4a7c15 + 1
		for i := range b {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			if x%5 == 0 {
				b[i] = alphabet[x/5%uint64(len(alphabet))]
			} else {
				b[i] = 'a' + byte(x/5%26)
			}
		}
		n := int(x % uint64(len(b)+1))
		for start := 0; start <= n; start++ {
			want := n
			for j := start; j < n; j++ {
				if b[j] >= '0' && b[j] <= '9' {
					want = j
					break
				}
			}
			if got := nextDigit(b[:n], start); got != want {
				t.Fatalf("nextDigit(%q, %d) = %d; want %d", b[:n], start, got, want)
			}
		}
	}
}

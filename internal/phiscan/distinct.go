package phiscan

import (
	"math"
	"math/bits"
)

// distinct estimates how many different values it has seen, in 4 KiB
// whatever their number: a HyperLogLog sketch (2^12 registers, about 1.6%
// error) with linear counting for small sets, where it is near exact.
// Counting individuals this way keeps a scan of a huge export bounded.
type distinct struct {
	reg *[1 << distinctBits]uint8
}

const distinctBits = 12

func (d *distinct) add(key uint64) {
	if d.reg == nil {
		d.reg = new([1 << distinctBits]uint8)
	}
	// Mix the key first: FNV's low bits are not uniform enough.
	key ^= key >> 33
	key *= 0xff51afd7ed558ccd
	key ^= key >> 33
	key *= 0xc4ceb9fe1a85ec53
	key ^= key >> 33
	idx := key >> (64 - distinctBits)
	rank := uint8(bits.LeadingZeros64(key<<distinctBits|1<<(distinctBits-1)) + 1)
	if rank > d.reg[idx] {
		d.reg[idx] = rank
	}
}

func (d *distinct) count() int {
	if d.reg == nil {
		return 0
	}
	const m = 1 << distinctBits
	sum := 0.0
	zeros := 0
	for _, r := range d.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(float64(m)/float64(zeros))
	}
	return int(math.Round(est))
}

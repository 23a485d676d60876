// Package x12gen generates synthetic X12 837P interchanges of any size,
// streamed, for the parser's tests and the EDI benchmark. All values are
// synthetic.
package x12gen

import (
	"fmt"
	"io"
	"strconv"
)

// ClaimStream is an io.Reader producing one well-formed 837P interchange of
// roughly size bytes, generated on the fly so a test can feed the parser
// tens of megabytes without holding them in memory.
type ClaimStream struct {
	size    int64
	written int64
	n       int // transactions written
	buf     []byte
	pos     int
	done    bool
}

// Options vary the interchange envelope. The zero value gives the stream
// NewClaimStream returns.
type Options struct {
	// Password, when set, is sent as ISA04 security information with
	// ISA03 = 01, as some clearinghouses still ask of submitters: what
	// the X12 inspector's isa-credentials check reports. It is cut or
	// padded to the ten characters of ISA04.
	Password string
}

// NewClaimStream returns a stream of about size bytes.
func NewClaimStream(size int64) *ClaimStream {
	return NewClaimStreamWith(size, Options{})
}

// NewClaimStreamWith returns a stream of about size bytes with the
// envelope o describes.
func NewClaimStreamWith(size int64, o Options) *ClaimStream {
	secQ, sec := "00", "          "
	if o.Password != "" {
		secQ, sec = "01", fmt.Sprintf("%-10.10s", o.Password)
	}
	s := &ClaimStream{size: size}
	s.buf = append(s.buf, "ISA*00*          *"+secQ+"*"+sec+"*ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*P*:~\n"...)
	s.buf = append(s.buf, "GS*HC*SUBMITTER*RECEIVER*20260101*1200*1*X*005010X222A1~\n"...)
	return s
}

func (s *ClaimStream) Read(p []byte) (int, error) {
	for s.pos == len(s.buf) {
		if s.done {
			return 0, io.EOF
		}
		s.buf, s.pos = s.buf[:0], 0
		if s.written >= s.size {
			s.buf = strconv.AppendInt(append(s.buf, "GE*"...), int64(s.n), 10)
			s.buf = append(s.buf, "*1~\nIEA*1*000000001~\n"...)
			s.done = true
			continue
		}
		s.n++
		s.buf = appendClaim(s.buf, s.n)
	}
	k := copy(p, s.buf[s.pos:])
	s.pos += k
	s.written += int64(k)
	return k, nil
}

// appendClaim appends one 837P transaction set with control number n.
func appendClaim(b []byte, n int) []byte {
	// A fixed-width control number built by hand: the memory test counts
	// this generator's allocations too.
	v := n % 10000
	ctl := [4]byte{byte('0' + v/1000), byte('0' + v/100%10), byte('0' + v/10%10), byte('0' + v%10)}
	b = append(b, "ST*837*"...)
	b = append(b, ctl[:]...)
	b = append(b, "*005010X222A1~\n"...)
	for _, seg := range claimBody {
		b = append(b, seg...)
		b = append(b, "~\n"...)
	}
	b = strconv.AppendInt(append(b, "SE*"...), int64(len(claimBody)+2), 10)
	b = append(b, '*')
	b = append(b, ctl[:]...)
	return append(b, "~\n"...)
}

var claimBody = []string{
	"BHT*0019*00*0123*20260101*1200*CH",
	"NM1*41*2*BILLING SERVICE*****46*TGJ23",
	"PER*IC*JANE*TE*5555550100",
	"NM1*40*2*CLEARINGHOUSE*****46*66783JJT",
	"HL*1**20*1",
	"NM1*85*2*MEDICAL GROUP*****XX*1234567893",
	"N3*100 MAIN ST",
	"N4*SPRINGFIELD*IL*62701",
	"REF*EI*123456789",
	"HL*2*1*22*0",
	"SBR*P*18*******CI",
	"NM1*IL*1*TESTPATIENT*ALEX****MI*TEST000001",
	"N3*1 TEST ST",
	"N4*SPRINGFIELD*IL*62701",
	"DMG*D8*19800101*F",
	"NM1*PR*2*PAYER*****PI*99999",
	"CLM*PCN0001*125***11:B:1*Y*A*Y*Y",
	"HI*ABK:J020",
	"LX*1",
	"SV1*HC:99213*125*UN*1***1",
	"DTP*472*D8*20260101",
}

package x12

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"rcmguard/internal/sharedtest"
	"rcmguard/internal/x12/x12gen"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// sample is a public X12 sample from ../shared/testdata/x12 beside the
// repository; the test skips with a hint where that is absent.
func sample(t testing.TB, name string) string {
	t.Helper()
	return sharedtest.Path(t, "x12/"+name)
}

// readAll parses everything and returns the segment IDs in order.
func readAll(t testing.TB, in io.Reader) ([]string, *Reader, error) {
	t.Helper()
	r := NewReader(in)
	var ids []string
	for {
		s, err := r.Next()
		if errors.Is(err, io.EOF) {
			return ids, r, nil
		}
		if err != nil {
			return ids, r, err
		}
		ids = append(ids, s.ID)
	}
}

func TestReaderSamples(t *testing.T) {
	tests := []struct {
		file     string
		segments int
		delim    Delimiters
		err      string // substring of the error; "" for none
		errSeg   int
		errOff   int64
	}{
		{file: "imsweb/837_5010/x12_valid.txt", segments: 38, delim: Delimiters{'*', 0, ':', '~'}},
		{file: "imsweb/837_5010/x12_valid_different_separators.txt", segments: 38, delim: Delimiters{'~', 0, '^', '_'}},
		{file: "imsweb/837_5010/x12_multiple_isa.txt", segments: 76, delim: Delimiters{'*', 0, ':', '~'}},
		{file: "imsweb/837_5010/x12_multiple_gs.txt", segments: 110, delim: Delimiters{'*', 0, ':', '~'}},
		{file: "imsweb/837_5010/x12_multiple_st.txt", segments: 72, delim: Delimiters{'*', 0, ':', '~'}},
		{file: "imsweb/837_5010/x12_many_claims.txt", segments: 11490, delim: Delimiters{'*', 0, ':', '~'}},
		{file: "imsweb/277_5010/x12_277CA_rejected.txt", segments: 28, delim: Delimiters{'*', '^', '|', '~'}},
		{file: "imsweb/x270_271/x270.txt", segments: 18, delim: Delimiters{'*', 0, ':', '~'}},
		{file: "imsweb/x270_271/x271.txt", segments: 22, delim: Delimiters{'*', 0, '>', '~'}},
		{file: "pyx12/834_ls_le_ls.txt", segments: 78, delim: Delimiters{'*', '!', ':', '~'}},
		{file: "pyx12/example834_5010.txt", segments: 24, delim: Delimiters{'*', '^', '\\', '~'}},
		{file: "imsweb/837_5010/x12_bad_first_line.txt", err: "ISA segment is 105 bytes, want 106 (ISA02 is 9 bytes, want 10)", errSeg: 1, errOff: 0},
		{file: "imsweb/837_5010/x12_no_isa_line.txt", err: "file does not start with an ISA segment", errSeg: 1, errOff: 0},
		{file: "imsweb/837_5010/x12_bad_segment_identifier.txt", segments: 5, err: `segment ID ""`, errSeg: 6, errOff: 280},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(sample(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ids, r, err := readAll(t, f)
			if len(ids) != tt.segments {
				t.Errorf("read %d segments; want %d", len(ids), tt.segments)
			}
			if tt.err == "" {
				if err != nil {
					t.Fatalf("error %v; want none", err)
				}
				if got := r.Delimiters(); got != tt.delim {
					t.Errorf("Delimiters() = %q; want %q", got, tt.delim)
				}
				if ids[0] != "ISA" || ids[len(ids)-1] != "IEA" {
					t.Errorf("first/last segment %s/%s; want ISA/IEA", ids[0], ids[len(ids)-1])
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v; want *SyntaxError", err)
			}
			if !strings.Contains(se.Error(), tt.err) || se.Segment != tt.errSeg || se.Offset != tt.errOff {
				t.Errorf("error %q (segment %d, offset %d); want %q at segment %d, offset %d",
					se, se.Segment, se.Offset, tt.err, tt.errSeg, tt.errOff)
			}
		})
	}
}

// isa builds a 106-byte ISA header with the given separators and version.
func isa(sep, rep, comp, term byte, version, usage string) string {
	f := []string{"ISA", "00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ",
		"RECEIVER       ", "260101", "1200", string(rep), version, "000000001", "0", usage, string(comp)}
	return strings.Join(f, string(sep)) + string(term)
}

func TestReaderDelimitersAndLayout(t *testing.T) {
	body5010 := isa('*', '^', ':', '~', "00501", "P") + "GS*HC*A*B*20260101*1200*1*X*005010X222A1~ST*837*0001~NM1*IL*1*DOE*JANE****MI*AB1^CD2~SE*3*0001~GE*1*1~IEA*1*000000001~"
	tests := []struct {
		name  string
		in    string
		ids   string
		delim Delimiters
	}{
		{"tilde no breaks", body5010, "ISA GS ST NM1 SE GE IEA", Delimiters{'*', '^', ':', '~'}},
		{"CRLF after terminators", strings.ReplaceAll(body5010, "~", "~\r\n"), "ISA GS ST NM1 SE GE IEA", Delimiters{'*', '^', ':', '~'}},
		{"BOM and leading space", "\xef\xbb\xbf \r\n" + body5010, "ISA GS ST NM1 SE GE IEA", Delimiters{'*', '^', ':', '~'}},
		{"line feed terminator", strings.ReplaceAll(isa('*', '^', ':', '\n', "00501", "P")+"GS*HC~ST*837*1~SE*2*1~GE*1*1~IEA*1*000000001~", "~", "\n"),
			"ISA GS ST SE GE IEA", Delimiters{'*', '^', ':', '\n'}},
		{"CR terminator with LF", strings.ReplaceAll(isa('*', '^', ':', '\r', "00501", "P")+"\nGS*HC~ST*837*1~IEA*1*1~", "~", "\r\n"),
			"ISA GS ST IEA", Delimiters{'*', '^', ':', '\r'}},
		{"004010 has no repetition separator", isa('*', 'U', '>', '~', "00401", "P") + "GS*HC~IEA*1*000000001~", "ISA GS IEA", Delimiters{'*', 0, '>', '~'}},
		{"missing final terminator", body5010[:len(body5010)-1] + "\n", "ISA GS ST NM1 SE GE IEA", Delimiters{'*', '^', ':', '~'}},
		{"second interchange redeclares delimiters",
			isa('*', '^', ':', '~', "00501", "P") + "IEA*0*000000001~\n" + isa('|', '^', '>', '!', "00501", "T") + "GS|HC!IEA|1|000000001!",
			"ISA IEA ISA GS IEA", Delimiters{'|', '^', '>', '!'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, r, err := readAll(t, strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ids, " "); got != tt.ids {
				t.Errorf("segments %q; want %q", got, tt.ids)
			}
			if got := r.Delimiters(); got != tt.delim {
				t.Errorf("Delimiters() = %q; want %q", got, tt.delim)
			}
		})
	}
}

func TestSegmentAccessors(t *testing.T) {
	in := isa('*', '^', ':', '~', "00501", "P") + "\nSV1*HC:99213:25*125**1*^X~\nREF*SY*123456789~"
	r := NewReader(strings.NewReader(in))
	isaSeg, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if isaSeg.Index != 1 || isaSeg.Offset != 0 || string(isaSeg.Element(13)) != "000000001" || isaSeg.Len() != 16 {
		t.Errorf("ISA: index %d offset %d ISA13 %q len %d", isaSeg.Index, isaSeg.Offset, isaSeg.Element(13), isaSeg.Len())
	}
	s, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "SV1" || s.Index != 2 || s.Offset != 107 {
		t.Errorf("segment %s index %d offset %d; want SV1 2 107", s.ID, s.Index, s.Offset)
	}
	checks := []struct {
		got, want []byte
		what      string
	}{
		{s.Element(0), []byte("SV1"), "Element(0)"},
		{s.Element(1), []byte("HC:99213:25"), "Element(1)"},
		{s.Element(3), []byte{}, "Element(3) empty"},
		{s.Element(6), nil, "Element(6) absent"},
		{s.Component(1, 1), []byte("HC"), "Component(1,1)"},
		{s.Component(1, 3), []byte("25"), "Component(1,3)"},
		{s.Component(1, 4), nil, "Component(1,4)"},
		{s.Component(2, 1), []byte("125"), "Component(2,1) plain"},
		{s.Component(5, 1), []byte{}, "Component(5,1) before repetition"},
		{s.Component(9, 1), nil, "Component(9,1)"},
	}
	for _, c := range checks {
		if !bytes.Equal(c.got, c.want) || (c.got == nil) != (c.want == nil) {
			t.Errorf("%s = %q; want %q", c.what, c.got, c.want)
		}
	}
	s, err = r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "REF" || string(s.Element(2)) != "123456789" || string(s.Raw()) != "REF*SY*123456789" {
		t.Errorf("REF segment %s %q", s.ID, s.Raw())
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("Next at end = %v; want io.EOF", err)
	}
}

func TestReaderErrors(t *testing.T) {
	good := isa('*', '^', ':', '~', "00501", "P")
	tests := []struct {
		name   string
		in     string
		msg    string
		seg    int
		offset int64
	}{
		{"short ISA", good[:40] + good[48:], "ISA segment is 98 bytes, want 106 (ISA06 is 7 bytes, want 15)", 1, 0},
		{"truncated ISA", good[:60], "ISA segment is truncated", 1, 0},
		{"misplaced separators", strings.Replace(strings.Replace(good, "SENDER         ", "SENDER        ", 1), "RECEIVER       ", "RECEIVER        ", 1),
			"misplaced separators (ISA06 is 14 bytes, want 15)", 1, 0},
		{"alphanumeric terminator", good[:105] + "X", "segment terminator 'X'", 1, 0},
		{"shared delimiter", isa('*', '^', ':', ':', "00501", "P"), "two delimiter roles", 1, 0},
		{"not X12", "hello world", `file does not start with an ISA segment (found "hello world")`, 1, 0},
		{"lowercase segment ID", good + "GS*HC~nm1*IL~", `segment ID "nm1"`, 3, 112},
		{"four-letter segment ID", good + "\r\nNM12*IL~", `segment ID "NM12"`, 2, 108},
		{"no terminator", good + "GS*" + strings.Repeat("A", MaxSegmentSize+10), "segment is longer than", 2, 106},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r, err := readAll(t, strings.NewReader(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v; want *SyntaxError", err)
			}
			if !strings.Contains(se.Msg, tt.msg) || se.Segment != tt.seg || se.Offset != tt.offset {
				t.Errorf("got %q (segment %d, offset %d); want %q at segment %d, offset %d", se.Msg, se.Segment, se.Offset, tt.msg, tt.seg, tt.offset)
			}
			if !strings.HasPrefix(se.Error(), "x12: segment ") {
				t.Errorf("Error() = %q; want the x12: segment N at byte M prefix", se.Error())
			}
			if _, again := r.Next(); again != err {
				t.Errorf("second Next = %v; want the same error", again)
			}
		})
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestReaderIOError(t *testing.T) {
	boom := errors.New("disk gone")
	_, _, err := readAll(t, io.MultiReader(strings.NewReader(isa('*', '^', ':', '~', "00501", "P")+"GS*HC"), failingReader{boom}))
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "x12: read: ") {
		t.Errorf("error %v; want wrapped %v", err, boom)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"ISA*00*          *", true},
		{"\xef\xbb\xbf\r\n  ISA|00|", true},
		{"ISA~00~", true},
		{"ISA*", true},
		{"ISA*0", true},
		{"ISA", false},
		{"ISA*00|", false},
		{"ISAX00X", false},
		{"ISA 00 ", false},
		{"GS*HC*", false},
		{"", false},
		{"Dear ISA*00*", false},
	}
	for _, tt := range tests {
		if got := Sniff([]byte(tt.in)); got != tt.want {
			t.Errorf("Sniff(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestReaderMemoryBounded parses generated streams of 5 MB and 50 MB and
// checks that the number of allocations does not grow with the input: the
// reader must reuse its buffers however long the file.
func TestReaderMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 55 MB")
	}
	parse := func(size int64) func() {
		return func() {
			r := NewReader(x12gen.NewClaimStream(size))
			n := 0
			for {
				_, err := r.Next()
				if err != nil {
					if !errors.Is(err, io.EOF) {
						t.Fatal(err)
					}
					break
				}
				n++
			}
			if n < int(size/1000) {
				t.Fatalf("parsed only %d segments from %d bytes", n, size)
			}
		}
	}
	small := testing.AllocsPerRun(1, parse(5<<20))
	large := testing.AllocsPerRun(1, parse(50<<20))
	if large > 200 || large > small+20 {
		t.Errorf("allocations: %v for 5 MB, %v for 50 MB; want a small constant", small, large)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	parse(50 << 20)()
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("parsing 50 MB allocated %d bytes; want under 1 MiB", grew)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(isa('*', '^', ':', '~', "00501", "P") + "GS*HC~ST*837*1~SE*2*1~GE*1*1~IEA*1*000000001~"))
	f.Add([]byte(isa('|', 'U', '>', '\n', "00401", "T") + "GS|HC\nIEA|1|1\n"))
	f.Add([]byte("ISA*00*"))
	for _, name := range []string{"imsweb/837_5010/x12_valid.txt", "imsweb/837_5010/x12_multiple_isa.txt", "pyx12/835_mult_loops.txt"} {
		if b := sharedtest.Read("x12/" + name); b != nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		prev := int64(-1)
		for i := 0; ; i++ {
			s, err := r.Next()
			if err != nil {
				var se *SyntaxError
				if !errors.Is(err, io.EOF) && !errors.As(err, &se) {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				return
			}
			if s.Index != i+1 || s.Offset <= prev || s.Offset >= int64(len(data)) {
				t.Fatalf("segment %d: index %d offset %d after %d", i+1, s.Index, s.Offset, prev)
			}
			prev = s.Offset
			for j := 0; j <= s.Len()+1; j++ {
				_ = s.Component(j, 2)
			}
		}
	})
}

// TestAppendSeparators checks the eight-bytes-at-a-time separator search
// against a plain loop, on inputs dense with the bytes next to the
// separator's value where the bit trick's borrows produce candidates.
func TestAppendSeparators(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'*', '*' + 1, '*' - 1, 0, 1, 0x80, 0xff, 'A', '~'}
	for n := range 2000 {
		data := make([]byte, n%70)
		for i := range data {
			data[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var want []int
		for i, c := range data {
			if c == '*' {
				want = append(want, i+1)
			}
		}
		if got := appendSeparators(nil, data, '*'); !slices.Equal(got, want) {
			t.Fatalf("appendSeparators(%q) = %v; want %v", data, got, want)
		}
	}
}

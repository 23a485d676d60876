package evidence

import (
	"errors"
	"strings"
	"testing"
)

func TestReadLines(t *testing.T) {
	type rec struct {
		N int `json:"n"`
	}
	got, err := ReadLines[rec](strings.NewReader("\xef\xbb\xbf{\"n\": 1}\n\n  {\"n\": 2}  \r\n{\"n\": 3}"), true, nil)
	if err != nil || len(got) != 3 || got[0].N != 1 || got[2].N != 3 {
		t.Fatalf("ReadLines = %+v, %v; want n 1, 2, 3", got, err)
	}
	odd := errors.New("odd")
	for _, tc := range []struct {
		name, in string
		strict   bool
		check    func(rec) error
		want     string
	}{
		{"unknown key when strict", "{\"n\": 1}\n{\"n\": 2, \"x\": 0}", true, nil, "line 2: json: unknown field"},
		{"two values on a line", "{\"n\": 1} {\"n\": 2}", false, nil, "line 1: more than one JSON value"},
		{"not JSON", "\n\nhello", false, nil, "line 3: invalid character"},
		{"check refuses", "{\"n\": 2}\n{\"n\": 3}", false, func(r rec) error {
			if r.N%2 == 1 {
				return odd
			}
			return nil
		}, "line 2: odd"},
		{"line too long", "{\"n\": 1}\n" + strings.Repeat(" ", MaxLineSize+1), false, nil, "line 2: bufio.Scanner: token too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadLines(strings.NewReader(tc.in), tc.strict, tc.check); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadLines = %v; want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := ReadLines[rec](strings.NewReader(`{"n": 1, "x": 0}`), false, nil); err != nil {
		t.Fatalf("a key the type lacks, not strict: %v", err)
	}
}

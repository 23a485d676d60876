package phiscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"rcmguard/internal/x12"
)

// X12 is read by position, not by shape: NM1*IL with MI in NM108 is a
// member ID whatever it looks like, DMG*D8 carries a birth date, BPR
// carries bank routing and account numbers. Values found by position are
// certain (confidence 1) once they pass the same validators as text.

// x12State follows one interchange.
type x12State struct {
	isaIndex int
	isaOff   int64
	control  string
	sets     map[string]int
	ids      int // identifying findings when the interchange began
	inPerson bool
}

func (j *job) scanX12(path string, r io.Reader) error {
	u := newUnit(path, typeX12, &j.s.lim, j.s.now)
	defer j.collect(u)
	rd := x12.NewReader(r)
	var st *x12State
	for {
		seg, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if st != nil {
				u.closeInterchange(st)
			}
			j.notice(path, "X12 read stopped: %v", err)
			return nil
		}
		u.offset = seg.Offset
		switch seg.ID {
		case "ISA":
			if st != nil {
				u.closeInterchange(st)
			}
			u.endRecord()
			st = &x12State{
				isaIndex: seg.Index, isaOff: seg.Offset,
				control: strings.TrimSpace(string(seg.Element(13))),
				sets:    map[string]int{}, ids: u.idCount,
			}
		case "IEA":
			if st != nil {
				u.closeInterchange(st)
				st = nil
			}
		default:
			if st == nil {
				continue
			}
			u.x12Segment(st, seg)
		}
	}
	if st != nil {
		u.closeInterchange(st)
	}
	u.offset = 0
	return nil
}

// closeInterchange reports the interchange once if it carried PHI.
func (u *unit) closeInterchange(st *x12State) {
	u.endRecord()
	if u.idCount == st.ids {
		return
	}
	var names []string
	for s := range st.sets {
		names = append(names, s)
	}
	sort.Strings(names)
	var detail strings.Builder
	for i, s := range names {
		if i > 0 {
			detail.WriteString(", ")
		}
		fmt.Fprintf(&detail, "%s×%d", s, st.sets[s])
		if u.sets == nil {
			u.sets = map[string]bool{}
		}
		u.sets[s] = true
	}
	u.offset = st.isaOff
	u.addFinding(Finding{
		Path: u.path, Line: st.isaIndex, Kind: KindX12, Confidence: 1,
		Excerpt:  "interchange " + st.control + " (" + strings.Join(names, ", ") + ")",
		FileType: u.fileType, Offset: st.isaOff, PHI: true, Detail: "transaction sets: " + detail.String(),
		key: keyOf(KindX12, []byte(st.control)), record: u.record,
	})
}

func (u *unit) x12Segment(st *x12State, seg *x12.Segment) {
	line := seg.Index
	switch seg.ID {
	case "ST":
		st.sets[string(seg.Element(1))]++
	case "NM1":
		entity := string(seg.Element(1))
		qual := string(seg.Element(8))
		id := bytes.TrimSpace(seg.Element(9))
		switch entity {
		case "IL", "QC", "74", "GB":
			u.endRecord()
			st.inPerson = true
			if string(seg.Element(2)) == "1" {
				var name []byte
				name = append(name, bytes.TrimSpace(seg.Element(4))...)
				name = append(name, ' ')
				name = append(name, bytes.TrimSpace(seg.Element(3))...)
				if len(seg.Element(4)) > 0 && len(seg.Element(3)) > 0 {
					u.addName(name, line, 1)
				}
			}
			if len(id) > 0 {
				u.x12PersonID(qual, id, line)
				u.persons.add(keyOf(KindMemberID, id))
			}
		default:
			st.inPerson = false
			if qual == "XX" && validNPI(id) {
				u.add(KindNPI, id, 1, line, "", "NM1*"+entity+" npi")
			}
		}
	case "N3":
		if st.inPerson {
			if v := bytes.TrimSpace(seg.Element(1)); len(v) > 0 {
				u.addAddress(v, line, 1)
			}
		}
	case "DMG":
		if string(seg.Element(1)) == "D8" {
			v := seg.Element(2)
			if len(v) == 8 && allDigits(v) {
				y, m, d := num(v[0:4]), num(v[4:6]), num(v[6:8])
				if plausibleBirth(y, m, d, u.now) {
					u.addDOB(y, m, d, 1, line, "DMG")
				}
			}
		}
	case "REF":
		v := bytes.TrimSpace(seg.Element(2))
		switch string(seg.Element(1)) {
		case "SY":
			if d := digitsOnly(v); validSSN(d) {
				u.add(KindSSN, d, 1, line, "", "REF*SY")
			}
		case "EA":
			if len(v) > 0 {
				u.add(KindMRN, v, 1, line, "", "REF*EA")
			}
		case "1W":
			if len(v) > 0 {
				u.add(KindMemberID, v, 1, line, "", "REF*1W")
			}
		}
	case "BPR":
		// BPR06/07 and BPR12/13 are DFI qualifier and routing number,
		// BPR09 and BPR15 the account numbers.
		u.x12Bank(seg.Element(7), seg.Element(9), line)
		u.x12Bank(seg.Element(13), seg.Element(15), line)
	case "HI", "SV1", "SV2", "SV3", "CL1":
		u.health = true
	}
}

func (u *unit) x12PersonID(qual string, id []byte, line int) {
	up := bytes.ToUpper(id)
	switch qual {
	case "MI", "II":
		switch {
		case validMBI(up):
			u.add(KindMBI, up, 1, line, "", "NM1 MI")
		case validHICN(up):
			u.add(KindHICN, up, 1, line, "", "NM1 MI")
		default:
			u.add(KindMemberID, id, 1, line, "", "NM1 "+qual)
		}
	case "34":
		if d := digitsOnly(id); validSSN(d) {
			u.add(KindSSN, d, 1, line, "", "NM1 34")
		}
	case "HN":
		if validHICN(up) || rrbHICN(up) {
			u.add(KindHICN, up, 1, line, "", "NM1 HN")
		}
	case "MR":
		u.add(KindMRN, id, 1, line, "", "NM1 MR")
	}
}

func (u *unit) x12Bank(routing, account []byte, line int) {
	r := digitsOnly(bytes.TrimSpace(routing))
	a := bytes.TrimSpace(account)
	if !validABA(r) || len(a) < 4 || len(a) > 17 {
		return
	}
	u.routing.n, u.account.n = 0, 0
	u.bankPart(r, true, line)
	u.bankPart(a, false, line)
}

func digitsOnly(v []byte) []byte {
	if allDigits(v) {
		return v
	}
	out := make([]byte, 0, len(v))
	for _, c := range v {
		if isDigit(c) {
			out = append(out, c)
		} else if c != '-' && c != ' ' {
			return nil
		}
	}
	return out
}

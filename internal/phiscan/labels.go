package phiscan

// role is what a label, a column header or a JSON key says about the value
// that follows it.
type role uint8

const (
	roleNone    role = iota
	roleNeutral      // "id", "number", "#": says nothing, keep looking
	roleSSN
	roleMedicare // MBI or HICN
	roleNPI
	roleCard
	roleRouting
	roleAccount
	roleDOB
	roleDate // a date that is not a birth date: service, admission, statement
	roleMember
	roleMRN
	roleName
	roleAddress
	rolePhone
	roleEmail
	roleHealth   // diagnosis and procedure codes
	roleNegative // order, ticket, invoice, claim and other reference numbers
)

// labelWords maps a lower-case word (or a run-together JSON key) to its
// role. Multi-word labels work because the look-back skips neutral and
// unknown words: "date of birth" reaches "birth", "member id" reaches
// "member".
var labelWords = map[string]role{
	"id": roleNeutral, "no": roleNeutral, "num": roleNeutral, "number": roleNeutral, "nbr": roleNeutral,
	"of": roleNeutral, "is": roleNeutral, "the": roleNeutral, "on": roleNeutral, "file": roleNeutral,
	"date": roleNeutral, "dt": roleNeutral, "value": roleNeutral, "code": roleNeutral, "primary": roleNeutral,
	"patient": roleName, "pt": roleNeutral, "subscriber": roleMember, "insured": roleMember,

	"ssn": roleSSN, "ss": roleSSN, "social": roleSSN, "security": roleSSN, "soc": roleSSN, "taxpayer": roleSSN,
	"patientssn": roleSSN, "subscriberssn": roleSSN, "socialsecuritynumber": roleSSN,

	"mbi": roleMedicare, "medicare": roleMedicare, "hicn": roleMedicare, "hic": roleMedicare,
	"medicareid": roleMedicare, "medicarenumber": roleMedicare, "beneficiary": roleMedicare,

	"npi": roleNPI, "provider": roleNPI, "rendering": roleNPI, "referring": roleNPI, "attending": roleNPI,
	"physician": roleNPI, "prescriber": roleNPI, "billing": roleNPI, "providernpi": roleNPI, "renderingnpi": roleNPI,

	"card": roleCard, "cc": roleCard, "visa": roleCard, "mastercard": roleCard, "amex": roleCard,
	"discover": roleCard, "pan": roleCard, "cardnumber": roleCard, "creditcard": roleCard, "credit": roleCard,

	"routing": roleRouting, "aba": roleRouting, "rtn": roleRouting, "transit": roleRouting,
	"routingnumber": roleRouting, "dfi": roleRouting,
	"account": roleAccount, "acct": roleAccount, "accountnumber": roleAccount, "acctnum": roleAccount,
	"bankaccount": roleAccount, "checking": roleAccount, "savings": roleAccount,

	"dob": roleDOB, "birth": roleDOB, "born": roleDOB, "birthdate": roleDOB, "dateofbirth": roleDOB,
	"birthday": roleDOB, "patientdob": roleDOB, "subscriberdob": roleDOB,

	"dos": roleDate, "service": roleDate, "visit": roleDate, "admission": roleDate, "admit": roleDate,
	"discharge": roleDate, "statement": roleDate, "due": roleDate, "paid": roleDate, "posted": roleDate,
	"submitted": roleDate, "received": roleDate, "created": roleDate, "updated": roleDate, "sent": roleDate,
	"dateofservice": roleDate, "servicedate": roleDate, "appointment": roleDate,

	"member": roleMember, "memberid": roleMember, "subscriberid": roleMember,
	"policynumber": roleMember, "insurance": roleMember, "insuranceid": roleMember, "enrollee": roleMember,

	"mrn": roleMRN, "medical": roleMRN, "record": roleNeutral, "chart": roleMRN, "medicalrecord": roleMRN,
	"medicalrecordnumber": roleMRN, "patientid": roleMRN, "chartnumber": roleMRN,

	"name": roleName, "patientname": roleName, "fullname": roleName, "guarantor": roleName,
	"membername": roleName, "subscribername": roleName,

	"address": roleAddress, "addr": roleAddress, "street": roleAddress, "address1": roleAddress,
	"streetaddress": roleAddress,

	"phone": rolePhone, "tel": rolePhone, "telephone": rolePhone, "fax": rolePhone, "cell": rolePhone,
	"mobile": rolePhone, "ph": rolePhone, "phonenumber": rolePhone, "contact": rolePhone,

	"email": roleEmail, "mail": roleEmail, "emailaddress": roleEmail,

	"diagnosis": roleHealth, "dx": roleHealth, "icd": roleHealth, "icd10": roleHealth, "cpt": roleHealth,
	"procedure": roleHealth, "hcpcs": roleHealth, "diag": roleHealth, "px": roleHealth,

	"order": roleNegative, "ticket": roleNegative, "invoice": roleNegative, "confirmation": roleNegative,
	"tracking": roleNegative, "case": roleNegative, "claim": roleNegative, "reference": roleNegative,
	"ref": roleNegative, "po": roleNegative, "transaction": roleNegative, "txn": roleNegative,
	"batch": roleNegative, "group": roleNegative, "control": roleNegative, "authorization": roleNegative,
	"auth": roleNegative, "zip": roleNegative, "request": roleNegative, "job": roleNegative,
	"orderid": roleNegative, "ticketid": roleNegative, "version": roleNegative, "port": roleNegative,
	"pid": roleNegative, "payer": roleNegative, "company": roleNegative, "carrier": roleNegative,
	"employer": roleNegative, "tin": roleNegative, "ein": roleNegative, "tax": roleNegative, "trace": roleNegative, "check": roleNegative, "incident": roleNegative,
}

// lowerWord writes the lower-case form of an ASCII word into buf and
// returns it; words longer than buf are cut, which is harmless because no
// label is that long.
func lowerWord(buf []byte, w []byte) []byte {
	n := 0
	for _, c := range w {
		if n == len(buf) {
			break
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return buf[:n]
}

// labelBefore looks back from b[end] for the nearest word that names the
// value starting there. It stops at the start of b, at a word holding a
// digit (another value sits in between) and after a bounded distance, so
// the label of one value never leaks onto the next.
func labelBefore(b []byte, end int) role {
	const maxBack = 48
	const maxWords = 5
	lim := end - maxBack
	if lim < 0 {
		lim = 0
	}
	i := end
	words, unknown := 0, 0
	sawID := false
	badSep := false // punctuation a label and its value are not joined by ("chart,16x16")
	for i > lim && words < maxWords {
		// Skip punctuation between words.
		for i > lim && !isWordByte(b[i-1]) {
			switch b[i-1] {
			case '\n', '\r':
				return roleNone
			case ' ', ':', '#', '=', '"', '\'', '\t', '_', '-', '.':
			default:
				badSep = true
			}
			i--
		}
		if i <= lim {
			break
		}
		e := i
		// The labels that hold digits ("icd10", "address1") are letters
		// then one or two digits; any other word with a digit is a value,
		// and the look-back ends there without reading the rest of it.
		for i > 0 && i > e-2 && isDigit(b[i-1]) {
			i--
		}
		if i > 0 && isDigit(b[i-1]) {
			return roleNone
		}
		digit := i < e
		for i > 0 && isWordByte(b[i-1]) {
			i--
			if isDigit(b[i]) {
				return roleNone
			}
		}
		if digit {
			if i == e || !isLetter(b[i]) {
				return roleNone
			}
			r, ok := lookupLabel(b[i:e])
			if !ok {
				return roleNone
			}
			return r
		}
		words++
		w := b[i:e]
		r, ok := lookupLabel(w)
		if len(w) == 2 && (w[0]|0x20) == 'i' && (w[1]|0x20) == 'd' {
			sawID = true
		}
		if !ok {
			unknown++
			continue
		}
		if r == roleNeutral {
			continue
		}
		if r == roleName && sawID {
			// "Patient ID" names a record number, not a person.
			return roleMRN
		}
		if weakRole(r) && (unknown > 0 || badSep) {
			// A value only its label vouches for needs the label right
			// before it ("Member ID: X"), not a few words back ("TSC
			// member (Rich Trott) #17652").
			return roleNone
		}
		return r
	}
	return roleNone
}

// weakRole says whether a role is the only evidence for its value: no
// check digit or format backs a member ID, a record number or a bank
// account number.
func weakRole(r role) bool {
	switch r {
	case roleMember, roleMRN, roleAccount, roleRouting:
		return true
	}
	return false
}

// headerRole reads a column header or a JSON key ("Patient DOB",
// "member_id", "dateOfBirth") and returns the role of its last meaningful
// word, as a person would read it.
func headerRole(h []byte) role {
	var buf [32]byte
	// A run-together key first: "dateofbirth", "memberid".
	compact := buf[:0]
	for _, c := range h {
		if isAlnum(c) && len(compact) < len(buf) {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			compact = append(compact, c)
		}
	}
	if r, ok := lookupLabel(compact); ok && r != roleNeutral {
		return r
	}
	// Then word by word from the end, splitting snake_case and camelCase.
	var words [][]byte
	s := 0
	for i := 0; i <= len(h); i++ {
		boundary := i == len(h) || !isAlnum(h[i]) ||
			(i > s && h[i] >= 'A' && h[i] <= 'Z' && h[i-1] >= 'a' && h[i-1] <= 'z')
		if !boundary {
			continue
		}
		if i > s {
			words = append(words, h[s:i])
		}
		s = i
		if i < len(h) && !isAlnum(h[i]) {
			s = i + 1
		}
	}
	var wb [24]byte
	sawID := false
	for i := len(words) - 1; i >= 0; i-- {
		w := lowerWord(wb[:], words[i])
		r, ok := lookupLabel(w)
		if string(w) == "id" {
			sawID = true
		}
		if ok && r != roleNeutral {
			if r == roleName && sawID {
				return roleMRN
			}
			return r
		}
	}
	return roleNone
}

// The label table is looked up for every word near a candidate, so it is
// an open-addressed table keyed by a case-folded FNV-1a hash computed in
// the same pass that reads the word, not a map of strings.
const labelSlots = 1024

type labelSlot struct {
	hash uint64
	role role
	used bool
}

var labelTable = func() (t [labelSlots]labelSlot) {
	for w, r := range labelWords {
		h := foldHash([]byte(w))
		i := h & (labelSlots - 1)
		for t[i].used {
			i = (i + 1) & (labelSlots - 1)
		}
		t[i] = labelSlot{hash: h, role: r, used: true}
	}
	return t
}()

// labelShape holds a bit per (length, first letter, last letter) of the
// label words, folded to lower case, so that most words near a number —
// which are not labels — are turned away before they are hashed.
var labelShape = func() (t [labelShapeWords]uint64) {
	for w := range labelWords {
		k := shapeKey(len(w), w[0], w[len(w)-1])
		t[k/64] |= 1 << (k % 64)
	}
	return t
}()

const labelShapeWords = 1 << 10 / 64 * 16 // 16,384 bits

func shapeKey(n int, first, last byte) uint32 {
	return (uint32(n)*961 + uint32(first|0x20)*31 + uint32(last|0x20)) % (labelShapeWords * 64)
}

// foldHash hashes a word case-insensitively.
func foldHash(w []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range w {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// lookupLabel returns the role of a word in any case.
func lookupLabel(w []byte) (role, bool) {
	if len(w) > 24 || len(w) == 0 {
		return roleNone, false
	}
	if k := shapeKey(len(w), w[0], w[len(w)-1]); labelShape[k/64]&(1<<(k%64)) == 0 {
		return roleNone, false
	}
	h := foldHash(w)
	for i := h & (labelSlots - 1); labelTable[i].used; i = (i + 1) & (labelSlots - 1) {
		if labelTable[i].hash == h {
			return labelTable[i].role, true
		}
	}
	return roleNone, false
}

// Package phiscan finds protected health information in files where it
// should not be: claim files on shares, aging reports attached to email,
// card numbers in payment exports, identifiers in application logs.
//
// Content is recognised by its bytes, never by its extension. Containers
// (zip, eml, mbox, xlsx, docx, pdf) are opened and their parts scanned
// under a nested path written outer!inner. Every candidate identifier is
// validated (check digits, issued ranges, CMS formats) before it becomes a
// Finding, and a Finding never carries the identifier itself: only a
// masked excerpt and a one-way key used to count distinct individuals.
package phiscan

import "time"

// Kind names what a finding is. The values are stable: they appear in
// output, in evidence checks ("phi.<kind>") and in user documentation.
type Kind string

const (
	KindSSN         Kind = "ssn"
	KindMBI         Kind = "mbi"
	KindHICN        Kind = "hicn"
	KindNPI         Kind = "npi"
	KindCard        Kind = "payment_card"
	KindBankAccount Kind = "bank_account"
	KindDOB         Kind = "dob"
	KindMemberID    Kind = "member_id"
	KindMRN         Kind = "mrn"
	KindX12         Kind = "x12"
	KindName        Kind = "name"
	KindAddress     Kind = "address"
	KindPhone       Kind = "phone"
	KindEmail       Kind = "email"
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{
	KindSSN, KindMBI, KindHICN, KindNPI, KindCard, KindBankAccount, KindDOB,
	KindMemberID, KindMRN, KindX12, KindName, KindAddress, KindPhone, KindEmail,
}

// identifying reports whether a kind identifies an individual on its own.
// Names, addresses, phones and emails are reported only beside one of
// these; an NPI identifies a provider, not a patient.
func (k Kind) identifying() bool {
	switch k {
	case KindSSN, KindMBI, KindHICN, KindCard, KindBankAccount, KindDOB, KindMemberID, KindMRN, KindX12:
		return true
	}
	return false
}

// PHI reports whether a finding of this kind is protected health
// information. NPIs are provider identifiers: reported, since they mark a
// billing file, but not PHI on their own.
func (k Kind) PHI() bool { return k != KindNPI }

// Finding is one validated occurrence.
type Finding struct {
	Path       string  `json:"path"`               // file, or outer!inner for nested content
	Line       int     `json:"line"`               // 1-based line (row for sheets, segment number for X12)
	Kind       Kind    `json:"kind"`               //
	Confidence float64 `json:"confidence"`         // 0–1
	Excerpt    string  `json:"excerpt"`            // label and masked value, never the full value
	FileType   string  `json:"file_type"`          // what the content was recognised as
	Location   string  `json:"location,omitempty"` // sheet, page or interchange where that helps
	Offset     int64   `json:"offset,omitempty"`   // byte offset of X12 segments
	Severity   string  `json:"severity,omitempty"` // severity of the whole file the finding is in
	PHI        bool    `json:"phi"`                // false for provider identifiers
	Detail     string  `json:"detail,omitempty"`   // e.g. the transaction sets of an X12 interchange
	key        uint64  // one-way key of the normalised value, for counting individuals
	record     int     // record (line, row, X12 patient loop) the finding belongs to
}

// Key returns a one-way hash of the normalised value, used to count
// distinct values without keeping them.
func (f Finding) Key() uint64 { return f.key }

// Notice is something the scan could not inspect, or chose not to: an
// unreadable file, an image-only PDF page, an archive past its limits.
type Notice struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// FileSummary sums up one scanned file or nested entry that held findings.
type FileSummary struct {
	Path        string       `json:"path"`
	FileType    string       `json:"file_type"`
	Severity    string       `json:"severity"`
	Individuals int          `json:"estimated_individuals"`
	Counts      map[Kind]int `json:"counts"`
	Health      bool         `json:"health_context"`
	Sets        []string     `json:"transaction_sets,omitempty"`
	Truncated   bool         `json:"truncated,omitempty"` // findings past the per-file cap were counted, not listed
	maxConf     map[Kind]float64
}

// Limits bound what one scan may read and hold, whatever the input.
//
// The archive limits count per file given to the scan (or found by the
// walk), nested archives and mail included: a 2 MB zip whose 10,000
// entries each stay within the per-entry limits still stops at
// MaxArchiveBytes or at MaxRatio times its own size, whichever comes first.
type Limits struct {
	MaxDepth        int   // nested containers (zip in eml in zip…)
	MaxEntries      int   // archive entries and mbox messages read from one file, nested ones included
	MaxEntryBytes   int64 // decompressed bytes read from one entry
	MaxRatio        int64 // decompressed/compressed bytes before an entry, or a whole archive, is a zip bomb
	MaxArchiveBytes int64 // decompressed bytes read from the archives of one file, nested ones included
	MaxBuffer       int64 // bytes held in memory for content that needs random access (nested zip, pdf)
	MaxFindings     int   // findings listed per file; the rest are counted
	MaxFileBytes    int64 // bytes read from one plain file; 0 means no limit
}

// DefaultLimits suit a file share: nested archives three deep, 64 MiB held
// in memory at most per open container, 4 GiB expanded from one archive.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:        3,
		MaxEntries:      10000,
		MaxEntryBytes:   1 << 30,
		MaxRatio:        200,
		MaxArchiveBytes: 4 << 30,
		MaxBuffer:       64 << 20,
		MaxFindings:     10000,
	}
}

// Options configure a Scanner.
type Options struct {
	Limits Limits
	// Now dates the scan: birth dates in the future are not birth dates.
	Now time.Time
}

// keyOf hashes a kind and a normalised value with FNV-1a, inline because
// it runs for every finding.
func keyOf(kind Kind, norm []byte) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(kind); i++ {
		h ^= uint64(kind[i])
		h *= prime
	}
	h *= prime // the zero separator
	for _, c := range norm {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// numKinds sizes per-kind arrays; kindIndex maps a kind to its slot.
const numKinds = 14

func kindIndex(k Kind) int {
	switch k {
	case KindSSN:
		return 0
	case KindMBI:
		return 1
	case KindHICN:
		return 2
	case KindNPI:
		return 3
	case KindCard:
		return 4
	case KindBankAccount:
		return 5
	case KindDOB:
		return 6
	case KindMemberID:
		return 7
	case KindMRN:
		return 8
	case KindX12:
		return 9
	case KindName:
		return 10
	case KindAddress:
		return 11
	case KindPhone:
		return 12
	}
	return 13
}

package phiscan

import "slices"

// TextPHI returns the kinds of PHI found in one piece of text, such as a
// value someone else wrote into an evidence fact. The text is read as
// plain prose, a single record so that a name counts beside an identifier
// in the same text, and never sniffed: a short value can look like a CSV
// header, a JSON document or mail, and would then be read as one. Nothing
// of the text is kept, and no value is returned.
func (s *Scanner) TextPHI(text string) []Kind {
	u := newUnit("", typeText, &s.lim, s.now)
	u.scanChunk([]byte(text), 1, recordParagraph)
	var kinds []Kind
	for _, f := range u.findings {
		if f.PHI && !slices.Contains(kinds, f.Kind) {
			kinds = append(kinds, f.Kind)
		}
	}
	return kinds
}

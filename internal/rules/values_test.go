package rules

import (
	"testing"
	"time"

	"rcmguard/internal/model"
)

// TestVocabulariesCoverViews builds the views of both examples and checks
// that every value a view holds in an attribute with a vocabulary is in
// it: a vocabulary missing a value would refuse a correct rule.
func TestVocabulariesCoverViews(t *testing.T) {
	checked := 0
	for _, path := range []string{"../../examples/practice.yaml", "../../examples/billing-company.yaml"} {
		m, err := model.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		g := Build(m, nil, Options{Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
		for kind, els := range g.Elements {
			for _, el := range els {
				for attr, v := range el.View {
					var words []string
					switch v := v.(type) {
					case string:
						words = []string{v}
					case []string:
						words = v
					}
					for _, w := range words {
						checked++
						if err := checkValue(kind, attr, w); err != nil {
							t.Errorf("%s: %s: %v", path, el.Label, err)
						}
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("checked only %d values", checked)
	}
}

// TestVocabulariesNameAttributes: a vocabulary for an attribute that does
// not exist would check nothing.
func TestVocabulariesNameAttributes(t *testing.T) {
	for kind, attrs := range kindValues {
		for attr := range attrs {
			if !hasAttr(kind, attr) {
				t.Errorf("vocabulary for %s.%s, which is not an attribute", kind, attr)
			}
		}
	}
	for attr := range commonValues {
		if !hasAttr(KindOrg, attr) {
			t.Errorf("vocabulary for common attribute %s, which is not one", attr)
		}
	}
}

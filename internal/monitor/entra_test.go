package monitor

import (
	"os"
	"testing"
)

func TestEntraSignInSamples(t *testing.T) {
	f, err := os.Open("testdata/entra-signins.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []Event
	st, err := Scan(f, opts("UTC"), func(e Event) { got = append(got, e) })
	if err != nil || st.Unparsed != 0 || len(got) != 5 {
		t.Fatalf("stats %+v err %v", st, err)
	}
	want := []struct {
		user, ip, code, status string
		outcome                Outcome
	}{
		{"testaccount1@contoso.com", "131.107.159.37", "0", "", Success},
		{"billing@contoso.com", "203.0.113.50", "50126", "", Failure},
		{"bob@contoso.com", "2001:db8::9", "50053", "ACCOUNT_LOCKED_OUT", Failure},
		{"gone@contoso.com", "198.51.100.3", "50057", "ACCOUNT_DISABLED", Failure},
		{"nobody@contoso.com", "198.51.100.3", "50034", "USER_DOES_NOT_EXIST", Failure},
	}
	for i, w := range want {
		e := got[i]
		if e.Source != "entra" || e.Action != ActionLogon || e.User != w.user || e.SrcIP != w.ip ||
			e.Fields["error_code"] != w.code || e.Fields["status"] != w.status || e.Outcome != w.outcome {
			t.Errorf("event %d: %+v, want %+v", i, e, w)
		}
	}
	if got[1].Fields["client_app"] != "IMAP4" || got[1].Fields["country"] != "NL" || got[0].Fields["interactive"] != "true" {
		t.Errorf("detail fields %v %v", got[1].Fields, got[0].Fields)
	}
	// A JSON object that is neither Winlogbeat nor a sign-in (no status
	// code) is unparsed, not a guessed event.
	if _, ok := Parse([]byte(`{"createdDateTime":"2026-01-02T16:06:00Z","userPrincipalName":"x"}`), opts("UTC")); ok {
		t.Error("a sign-in without a status parsed")
	}
}

func FuzzEntra(f *testing.F) {
	seedLines(f, "testdata/entra-signins.jsonl")
	f.Fuzz(fuzzOne)
}

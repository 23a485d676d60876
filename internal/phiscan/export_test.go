package phiscan

// AfterTests has f run once every test of the package has run, for the
// external tests' corpora (the package has one TestMain).
func AfterTests(f func()) { afterTests = append(afterTests, f) }

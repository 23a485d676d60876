package auth

import "strings"

// NewSetupToken returns a 256-bit random first-run setup token and the
// hash to store (package app's first-run setup). The token itself is never
// stored; it is shown once, on the server's console.
func NewSetupToken() (token, hash string, err error) { return newSecret("setup-") }

// maxSetupToken bounds what is hashed and looked up: a real token is 49
// characters.
const maxSetupToken = 128

// SetupTokenHash returns the stored form of a typed setup token; ok is
// false for what cannot be one (empty or too long), which callers treat as
// an unknown token. Spaces around it, as a copy from a terminal brings, are
// not part of it.
func SetupTokenHash(token string) (hash string, ok bool) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxSetupToken {
		return "", false
	}
	return hashSecret(token), true
}

//go:build !race

package durability

// cycles is how many times the server is killed and restarted.
const cycles = 10

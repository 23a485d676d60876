package model

import "testing"

func TestSmokeLoad(t *testing.T) {
	_, err := LoadFile("../../examples/practice.yaml")
	if err != nil {
		t.Fatal(err)
	}
}

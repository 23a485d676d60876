// Command genblocklist writes the embedded list of common passwords that
// rcmguard refuses. The list is built here from well-known weak choices (the
// perennial "most common passwords" seen in every published breach ranking,
// keyboard walks, digit runs, and words from medical billing) stretched the
// ways people stretch them to pass a length rule: repetition, appended digit
// runs and years, pairs of common words, and simple character swaps. Only
// entries of 15 characters or more are kept, since shorter ones fail the
// length rule anyway. It is not a copy of any breach corpus.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode/utf8"
)

// seeds are weak base passwords and words, most common first.
var seeds = strings.Fields(`
password 123456 qwerty iloveyou dragon monkey letmein football baseball welcome admin sunshine princess
master shadow abc123 trustno1 superman batman michael jennifer jordan hunter ranger buster soccer harley
hockey killer george charlie andrew michelle love jessica pepper daniel access joshua maggie starwars
silver william dallas yankees hello amanda orange biteme freedom computer thomas nicole ginger heather
hammer summer corvette taylor austin merlin matthew golfer cheese martin chelsea patrick richard diamond
yellow bigdog secret asdfgh sparky cowboy camaro anthony matrix falcon iloveu bailey guitar jackson
purple scooter phoenix morgan tigers porsche mickey maverick cookie nascar peanut justin money samantha
steelers joseph snoopy boomer whatever iceman smokey gateway dakota cowboys eagles chicken black zxcvbn
please andrea ferrari knight hardcore melissa compaq coffee johnny bulldog qazwsx football1 mustang
access14 flower hottie loveme zaq1zaq1 qwertyuiop login passw0rd starwars1 solo azerty donald
aa123456 qwerty123 1q2w3e4r 1qaz2wsx 654321 666666 121212 000000 111111 123123 987654321 7777777
changeme default guest root administrator test tester test123 temp temporary newpassword mypassword
winter spring autumn december january february october november september august
liverpool arsenal barcelona madrid united chelsea1 lakers raiders packers redsox bears broncos
america canada london paris texas florida california chicago boston newyork
jesus god angel blessed faith heaven lovely beautiful happy friends family forever
medical billing claims hipaa doctor nurse clinic patient health hospital pharmacy practice coding
revenue payer medicare medicaid insurance provider office manager physician dental therapy radiology
epic cerner athena kareo nextgen allscripts eclinical availity optum change claim coder biller
frontdesk reception compliance security privacy chart records surgery pediatrics cardiology
`)

// walks are keyboard and digit patterns people use to reach a length.
var walks = []string{
	"qwertyuiopasdfghjkl", "qwertyuiopasdfghjklzxcvbnm", "asdfghjklqwertyuiop", "zxcvbnmasdfghjkl",
	"1qaz2wsx3edc4rfv", "1qaz2wsx3edc4rfv5tgb", "qazwsxedcrfvtgb", "qazwsxedcrfvtgbyhn", "zaq12wsxcde34rfv",
	"zaq1xsw2cde3vfr4", "1q2w3e4r5t6y7u8i", "1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8", "!qaz@wsx#edc$rfv",
	"!qaz2wsx#edc4rfv", "qwerty123456789", "qwertyqwertyqwerty", "asdfasdfasdfasdf", "asdfghjkl123456",
	"poiuytrewqlkjhgfdsa", "mnbvcxzlkjhgfdsa", "123456789012345", "1234567890123456", "12345678901234567890",
	"098765432109876", "0987654321098765", "987654321987654321", "123123123123123", "123412341234123",
	"147258369147258", "159357159357159", "741852963741852", "963852741963852", "1234567890qwerty",
	"1234567890qwertyuiop", "qwertyuiop1234567890", "abcdefghijklmnop", "abcdefghijklmnopqrstuvwxyz",
	"abcdefg123456789", "aaaaaaaaaaaaaaa", "000000000000000", "111111111111111", "123456123456123",
	"thequickbrownfox", "thequickbrownfoxjumpsoverthelazydog", "correcthorsebatterystaple",
	"iloveyouiloveyou", "iloveyoutoomuch", "iloveyouforever", "welcometomyworld", "letmeinletmein",
	"passwordpassword", "changemechangeme", "mypasswordispassword", "thisismypassword", "thisisapassword",
	"ihateyouihateyou", "whateverwhatever", "trustnoonetrustno1", "godisgoodallthetime", "jesuslovesyou123",
	"nopasswordneeded", "supersecretpassword", "verysecurepassword", "mysecurepassword", "strongpassword123",
	"administrator123", "administrator1234", "adminadminadmin", "rootrootrootroot", "letmeinplease123",
}

var digitTails = []string{
	"123456789", "1234567890", "12345678", "1234567", "123456", "987654321", "0987654321", "111111111",
	"000000000", "147258369", "123123123", "!@#$%^&*()", "!!!!!!!!", "123!@#", "1234!@#$",
}

// swaps are the character substitutions people believe make a word strong.
var swaps = strings.NewReplacer("a", "@", "o", "0", "e", "3", "i", "1", "s", "$")

func main() {
	out := flag.String("o", "common_passwords.txt", "output file")
	flag.Parse()
	set := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(s)
		if utf8.RuneCountInString(s) >= 15 {
			set[s] = true
		}
	}
	for _, w := range walks {
		add(w)
		add(w + "!")
		add(w + "1")
	}
	for _, w := range seeds {
		// Repeat to length, as in "dragondragondragon".
		r := w
		for utf8.RuneCountInString(r) < 15 {
			r += w
		}
		add(r)
		add(swaps.Replace(r))
		for _, tail := range digitTails {
			add(w + tail)
			add(w + w + tail)
			add(swaps.Replace(w) + tail)
			add(w + tail + "!")
		}
	}
	// Word, word again and a year: "summersummer2024".
	for _, w := range seeds[:80] {
		for year := 1960; year <= 2030; year++ {
			add(fmt.Sprintf("%s%s%d", w, w, year))
		}
	}
	// Pairs of the most common words, as in "welcomepassword1".
	top := seeds[:40]
	for _, a := range top {
		for _, b := range top {
			if a != b {
				add(a + b)
				add(a + b + "1")
			}
		}
	}
	list := make([]string, 0, len(set))
	for s := range set {
		list = append(list, s)
	}
	sort.Strings(list)
	var b strings.Builder
	b.WriteString("# Common passwords refused by rcmguard. Generated by internal/genblocklist: see its doc comment.\n")
	for _, s := range list {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

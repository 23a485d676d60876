module rcmguard

go 1.26

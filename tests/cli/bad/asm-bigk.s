ld #0x100000000
ret a

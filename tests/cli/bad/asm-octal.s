ld #09
ret a

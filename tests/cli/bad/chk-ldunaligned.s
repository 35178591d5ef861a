ld [2]
ret a

ld [64]
ret a

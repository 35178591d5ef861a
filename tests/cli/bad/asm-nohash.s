ld [0]
ret 5

ld [0]

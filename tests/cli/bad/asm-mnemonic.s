ld [4]
jeqq #1, 1, 0
ret #0

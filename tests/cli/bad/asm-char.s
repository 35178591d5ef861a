ld [4]
ret #0 @

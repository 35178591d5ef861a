a: ld [0]
a: ret #0

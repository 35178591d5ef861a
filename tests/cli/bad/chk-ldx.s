ldx [0]
ret #0

tax x
ret #0

ja 5000
ret #0

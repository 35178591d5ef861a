jeq #0, 3, 0
ret #0

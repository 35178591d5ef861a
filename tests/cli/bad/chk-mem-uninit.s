ld M[0]
ret a

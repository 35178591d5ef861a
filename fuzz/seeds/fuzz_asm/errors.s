L1: ja L1
ret x
jqe #1, a
ld #0x100000000
st M[16]

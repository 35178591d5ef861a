ld [4]
Ãret #0

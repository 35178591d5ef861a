[2Jld [4]
ret #0

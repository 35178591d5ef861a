; classic BPF allows MOD, seccomp does not
ld [0]
mod #3
ret a

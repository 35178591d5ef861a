ld [0]
mod #3
ret a

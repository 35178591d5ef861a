; every operand shape, aliases and symbols
start:	ld [nr]
	ld [arch] // arch
	jne #AUDIT_ARCH_X86_64, kill
	ld [args[1].hi]
	ld [ip.lo]
	ldh [2]
	ldb [x + 3]
	ld [x+0x10]
	ld M[0]
	ld #len
	ld len
	ldx #-1
	ldx M[15]
	ldx #len
	ldxb 4*([14]&0xf)
	ldx 4*([0]&0xf)
	st M[1]
	stx M[2]
	add #1
	sub x
	mul #017
	div %x
	mod #3
	and #0xff
	or x
	xor #(RET_ERRNO|13)
	lsh #3
	rsh x
	neg
	tax
	txa
	jeq #SYS_getpid, ok, 0
	jgt x, ok
	jge #5, ok, kill
	jset #0x80000000, kill
	jlt #4, ok
	jle x, ok, kill
	jneq #O_RDONLY|O_CREAT, ok
	jmp ok
kill:	ret #RET_KILL_PROCESS
ok:	ret #RET_ERRNO|#EACCES
	ret a
	.insn 0xffff, 1, 2, 0xdeadbeef
	ret #RET_TRAP|RET_DATA

/* insn.c - the instruction table and its code index.  TRUSTED BASE. */
#include "insn.h"

const struct insn_info insn_info[INSN__COUNT] = {
#define INSN_INFO(name, code, mn, opnd, sec, meaning) \
	[INSN_##name] = { #name, code, mn, opnd, sec, meaning },
	INSN_TABLE(INSN_INFO)
#undef INSN_INFO
};

/* code -> op + 1 (0: not a classic opcode).  Codes are all below 0x100. */
static const uint8_t op_by_code[0x100] = {
#define INSN_INDEX(name, code, mn, opnd, sec, meaning) [code] = INSN_##name + 1,
	INSN_TABLE(INSN_INDEX)
#undef INSN_INDEX
};

int insn_op_of(uint16_t code)
{
	if (code >= sizeof op_by_code)
		return -1;
	return (int)op_by_code[code] - 1;
}

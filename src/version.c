/* version.c - jitk_version: the version the library was built as. */
#include "jitk.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *jitk_version(void)
{
	return STR(JITK_VERSION_MAJOR) "." STR(JITK_VERSION_MINOR) "." STR(JITK_VERSION_MICRO);
}

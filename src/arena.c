/*
 * arena.c - the library's two allocation helpers (internal.h): an arena
 * whose blocks are freed at once, and the growth of a malloc'd array.
 */
#include "internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_blk {
	struct arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

void *arena_alloc(struct arena_blk **a, size_t n)
{
	const size_t al = _Alignof(max_align_t);
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + al - 1) / al * al;
	if (n == 0)
		n = al;
	if (!*a || (*a)->cap - (*a)->used < n) {
		size_t cap = n > 4096 ? n : 4096;
		struct arena_blk *b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = *a;
		b->used = 0;
		b->cap = cap;
		*a = b;
	}
	unsigned char *p = (unsigned char *)(*a)->data + (*a)->used;
	(*a)->used += n;
	memset(p, 0, n);
	return p;
}

void arena_free(struct arena_blk *a)
{
	while (a) {
		struct arena_blk *next = a->next;
		free(a);
		a = next;
	}
}

bool array_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return false;
		c *= 2;
	}
	if (c > SIZE_MAX / elem)
		return false;
	void *p = realloc(*arr, c * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = c;
	return true;
}

// C's unsigned and bool rules in scenarios, checked against gcc: an
// unsigned int that went below zero equals -1 (the -1 is converted), is
// above 0, and wraps in arithmetic; narrow parameters, returns, casts and
// globals convert as C converts them.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include "taskcheck.h"

unsigned int gu = -1;
unsigned char gc;
bool gb = 5;

bool has(int f)
{
	return f & 4;
}

int narrow(unsigned char c)
{
	return c;
}

int positive_after_dec(unsigned n)
{
	n--;
	return n > 0;
}

unsigned int twice(unsigned int x)
{
	return x * 2;
}

int main(void)
{
	unsigned int left = 0;
	unsigned int m = ~0u;
	uint32_t r = (uint32_t)-1;
	unsigned char c = 255;
	int i = -1;
	long l = -1;
	int big = 300;

	gc = big;
	left--;
	assert(left == -1);
	assert(left == 4294967295u);
	assert(left > 0);
	assert(m == ~0u);
	assert(r == (uint32_t)-1);
	assert(r == left);
	assert(left + 1 == 0);
	assert(-left == 1);
	assert(left / 2 == 2147483647);
	assert(i < 1);
	assert(!(left < (unsigned)i));
	assert(c + 1 == 256);
	assert(c != -1);
	assert((unsigned char)300 == 44);
	assert(gu == 4294967295u && gc == 44 && gb == 1);
	assert(has(4) == true);
	assert(narrow(big - 44) == 0);
	assert(positive_after_dec(0));
	assert(twice(2147483648u) == 0);
	assert(l < 0);
	c++;
	assert(c == 0);
	return 0;
}

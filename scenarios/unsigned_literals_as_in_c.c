// The types of C literals: `u` makes an unsigned int, so does a hexadecimal
// literal too large for int (0xFFFFFFFF); a decimal one is a long. Checked
// against gcc's build of the same program.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <stdio.h>
#include "taskcheck.h"
int main(void)
{
	int n = -1;
	assert(n > 0u);
	assert(!(-1 < 1u));
	assert(!(n < 4294967295U));
	assert(-7 / 2u == 2147483644);
	assert(n == 0xFFFFFFFF);
	assert(~0u == 4294967295);
	assert((int)(~0u >> 1) == 2147483647);
	assert(0u - 1 > 0);
	assert(0x7fffffff > 0 && -1 < 0x7fffffff);
	assert(-1 < 4294967295);
	printf("%d %d %d\n", n > 0u, -1 < 1u, n < 4294967295U);
	return 0;
}

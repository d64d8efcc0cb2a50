// Division and modulo truncate toward zero; shifts; compound assignments.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int main(void)
{
	int a = -7;
	int b = 2;
	assert(a / b == -3);
	assert(a % b == -1);
	assert(7 % -2 == 1);
	assert(-7 % -2 == -1);
	assert(7 / -2 == -3);
	assert((1 << 4) == 16);
	assert((-16 >> 2) == -4);
	assert((255 >> 3) == 31);
	int x = 10;
	x += 5;
	x -= 3;
	x *= 4;
	x /= 5;
	x %= 7;
	assert(x == 2);
	x <<= 3;
	assert(x == 16);
	x >>= 1;
	x |= 3;
	x &= 10;
	x ^= 15;
	assert(x == 5);
	int y = x++;
	y += ++x;
	assert(y == 12 && x == 7);
	int z = x--;
	z -= --x;
	assert(z == 2 && x == 5);
	unsigned int u = 0;
	u -= 1;
	assert(u == 4294967295U);
	assert(u / 2 == 2147483647);
	assert((u >> 31) == 1);
	int n = -1;
	assert((unsigned int)n > 0);
	assert(!(n > 0u) == 0);
	printf("%d %u %x %ld %s\n", a % b, u, 255, (long)a * 1000000000, "lit");
	return 0;
}

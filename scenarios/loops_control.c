// break/continue in nested loops, else-if chains, recursion, ternaries.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
int gcd(int a, int b)
{
	if (b == 0)
		return a;
	return gcd(b, a % b);
}
int classify(int v)
{
	if (v < 0)
		return -1;
	else if (v == 0)
		return 0;
	else if (v < 10)
		return 1;
	else if (v < 100)
		return 2;
	else
		return 3;
}
int main(void)
{
	int i, j;
	int sum = 0;
	for (i = 0; i < 10; i++) {
		if (i == 7)
			break;
		if (i % 2)
			continue;
		for (j = 0; j < 5; j++) {
			if (j == 3)
				break;
			sum += j;
		}
		sum += i;
	}
	assert(sum == 24);
	int k = 0;
	while (k < 100) {
		k += 7;
		if (k % 3 == 0)
			continue;
		if (k > 50)
			break;
	}
	assert(k == 56);
	int d = 0;
	do {
		d++;
	} while (d < 3);
	assert(d == 3);
	assert(fib(10) == 55);
	assert(gcd(48, 18) == 6);
	assert(classify(-5) == -1 && classify(0) == 0 && classify(5) == 1 && classify(50) == 2 && classify(500) == 3);
	int t = sum > 20 ? (k > 60 ? 1 : 2) : 3;
	assert(t == 2);
	int c = 0;
	for (i = 0; i < 3; i++)
		for (j = i; j < 3; j++)
			c++;
	assert(c == 6);
	printf("sum=%d k=%d fib=%d\n", sum, k, fib(10));
	return 0;
}

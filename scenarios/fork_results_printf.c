// Children compute values by recursion and return them as exit codes;
// printf from parent and children, several specifiers.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int fact(int n)
{
	if (n <= 1)
		return 1;
	return n * fact(n - 1);
}
int main(void)
{
	int s;
	int total = 0;
	int i;
	for (i = 3; i <= 5; i++) {
		pid_t p = fork();
		if (p == 0) {
			printf("child %d: %d! = %d (0x%x)\n", i, i, fact(i), fact(i));
			exit(fact(i));
		}
		assert(waitpid(p, &s, 0) == p);
		total += WEXITSTATUS(s);
	}
	assert(total == 6 + 24 + 120);
	printf("total %u %ld %s\n", total, (long)total, "done");
	return 0;
}

// Expect an assertion: the parent wrongly asserts it sees the child's write.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: assertion
#include "taskcheck.h"
int g;
int main(void)
{
	int s;
	pid_t c = fork();
	if (c == 0) {
		g = 1;
		_exit(0);
	}
	waitpid(c, &s, 0);
	assert(g == 1);
	return 0;
}

// nondet() as the first visible action of a forked child: both branches are
// explored (the child's first step ends before the choice).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: assertion
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t c = fork();
	if (c == 0) {
		int x = nondet(2);
		assert(x == 0);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	return 0;
}

// main and its child a each fork a child while main reaps with wait(-1)
// whatever exits first: the pid numbers go out in any order, and wait()'s
// result is only compared with 0, which renaming pid numbers cannot change.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <stddef.h>
#include <sys/wait.h>
#include "taskcheck.h"

int main(void)
{
	pid_t a = fork();
	if (a == 0) {
		if (fork() == 0)
			_exit(0);
		_exit(0);
	}
	if (fork() == 0)
		_exit(0);
	while (wait(NULL) > 0)
		;
	return 0;
}

// The program emit-c writes evaluates the argument of _exit() and exit()
// once, as C does: each call of status() is seen once, by the model and by
// the kernel run.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int calls;

int status(void)
{
	calls++;
	printf("status() call %d\n", calls);
	return calls;
}

int main(void)
{
	int s;
	pid_t c = fork();
	if (c == 0)
		_exit(status());
	assert(waitpid(c, &s, 0) == c);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 1);
	exit(status() - 1);
}

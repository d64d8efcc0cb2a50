// Two parents fork at the same time: main forks a helper and b, the helper
// forks y. Which of y and b gets the smaller pid number and task slot
// depends on the interleaving, and nothing else does: symmetry reduction
// keeps one state of each such pair (--no-symmetry shows the plain count).
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <stddef.h>
#include <sys/wait.h>
#include "taskcheck.h"

void helper(void)
{
	pid_t y = fork();
	if (y == 0)
		_exit(0);
	waitpid(y, NULL, 0);
	_exit(0);
}

int main(void)
{
	pid_t a = fork();
	if (a == 0)
		helper();
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	waitpid(b, NULL, 0);
	waitpid(a, NULL, 0);
	return 0;
}

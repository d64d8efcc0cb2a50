// kill() of a zombie child returns 0 (any signal, incl. 0 and SIGKILL);
// the status stays the exit code.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int main(void)
{
	int s;
	pid_t c = fork();
	if (c == 0)
		_exit(33);
	// wait until it is a zombie without reaping
	while (kill(c, 0) == 0 && 0)
		;
	pid_t d = fork();
	if (d == 0) {
		// grandchild-free helper: nothing
		_exit(0);
	}
	assert(waitpid(d, &s, 0) == d);
	int r1 = kill(c, 0);
	int r2 = kill(c, SIGKILL);
	int r3 = kill(c, SIGTERM);
	assert(r1 == 0 && r2 == 0 && r3 == 0);
	assert(waitpid(c, &s, 0) == c);
	// SIGKILL sent before it exited may have killed it
	assert((WIFEXITED(s) && WEXITSTATUS(s) == 33) || (WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL));
	assert(kill(c, 0) == -1);
	assert(errno == ESRCH);
	return 0;
}

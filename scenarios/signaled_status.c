// WIFSIGNALED/WTERMSIG after SIGKILL and SIGTERM; kill() of a zombie is 0,
// of a reaped pid ESRCH; signal 0 probes.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int main(void)
{
	int s;
	pid_t a = fork();
	if (a == 0)
		while (1)
			getpid();
	pid_t b = fork();
	if (b == 0)
		while (1)
			getpid();
	assert(kill(a, SIGKILL) == 0);
	assert(kill(b, SIGTERM) == 0);
	assert(waitpid(a, &s, 0) == a);
	assert(WIFSIGNALED(s) && !WIFEXITED(s));
	assert(WTERMSIG(s) == SIGKILL);
	assert(s == 9);
	assert(waitpid(b, &s, 0) == b);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM);
	assert(s == 15);
	assert(kill(a, 0) == -1 && errno == ESRCH);
	assert(kill(b, SIGKILL) == -1 && errno == ESRCH);
	return 0;
}

// kill(-1, SIGKILL) from the root namespace: kill_something_info() signals
// every process with pid > 1 except the caller's own group. b and c (two
// spinners) die; init is skipped (pid 1) and kernel threads ignore the
// signal, so the system survives and main reaps both, killed by SIGKILL.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t spinner(void)
{
	pid_t p = fork();
	if (p == 0) {
		while (1)
			getppid();
	}
	return p;
}

int main(void)
{
	int s;
	int killed = 0;
	pid_t r;
	pid_t b = spinner();
	pid_t c = spinner();
	assert(kill(-1, SIGKILL) == 0);
	for (;;) {
		r = wait(&s);
		if (r < 0)
			break;
		assert(r == b || r == c);
		assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
		killed++;
	}
	assert(errno == ECHILD && killed == 2);
	return 0;
}

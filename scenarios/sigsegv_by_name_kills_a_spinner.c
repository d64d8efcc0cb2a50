// Every signal name of <signal.h> is known: SIGSEGV, sent with kill(2) to a
// child spinning in user mode, kills it (default action: core dump, which
// get_signal() turns into the group exit), and the parent sees it.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	pid_t p = fork();
	if (p == 0) {
		while (1)
			;
	}
	assert(kill(p, SIGSEGV) == 0);
	assert(waitpid(p, &s, 0) == p);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV);
	assert(SIGHUP == 1 && SIGUSR2 == 12 && SIGSYS == 31 && SIGRTMAX == 64);
	return 0;
}

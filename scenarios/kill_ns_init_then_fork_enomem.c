// main unshares and forks b, init of ns1; b forks two spinners and sleeps in
// wait(NULL). main SIGKILLs b from the parent namespace (forced, so the
// SIGNAL_UNKILLABLE init dies); b's zap_pid_ns_processes() kills and reaps
// the spinners, main reaps b (killed by SIGKILL). The namespace is closed:
// main's next fork, which would land in ns1, fails with ENOMEM.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

void spin(void)
{
	for (;;)
		getpid();
}

int main(void)
{
	int s;
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0)
			spin();
		pid_t d = fork();
		if (d == 0)
			spin();
		while (wait(NULL) > 0)
			;
		_exit(1);
	}
	assert(kill(b, SIGKILL) == 0);
	assert(waitpid(b, &s, 0) == b);
	assert(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
	pid_t e = fork();
	if (e == 0)
		_exit(0);
	assert(e == -1 && errno == ENOMEM);
	return 0;
}

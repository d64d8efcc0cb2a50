// The namespace leak the seed document mentions at its end, with no RCU at
// all: b, the init of ns1, exits and waits in zap_pid_ns_processes() (step
// 6, for ns1's pid_allocated to drop to 1) for c, a task of ns1 whose parent
// main is outside and must reap it; main waits for b first. c's zombie
// holds its pid for ever: main -> b -> c -> main on every kernel. (If b dies
// before c's fork, the fork fails with ENOMEM and main just reaps b.)
//! expect unprotected v6.1 v6.3 v6.9 v6.11: deadlock main b c
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	waitpid(b, NULL, 0);
	if (c > 0)
		waitpid(c, NULL, 0);
	return 0;
}

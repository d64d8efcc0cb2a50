// zap_pid_ns_processes() kills every pid >= 2 of the namespace, nested
// namespaces included: c is pid 1 (and SIGNAL_UNKILLABLE) in ns2, but pid 2
// in ns1, and the zap's SIGKILL is SEND_SIG_PRIV, hence forced, so c dies
// although it never exits by itself; c runs its own (empty) zap of ns2, and
// b's kernel_wait4() reaps it (nested pids count in every ancestor's
// pid_allocated). Nothing is left behind, and b's status is its own.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <sched.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		unshare(CLONE_NEWPID);
		pid_t c = fork();
		if (c == 0) {
			for (;;)
				getpid();
		}
		_exit(5);
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 5);
	return 0;
}
